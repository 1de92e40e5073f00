using Dapper;
using MasStack.Platform.Data;
using MasStack.Platform.Workers;
using Npgsql;

namespace MasStack.Signup.Features.Portability;

/// <summary>
/// Carries each ported line's request through the clearing house once its sale is complete: files it, then follows
/// its state (polling, every <c>Portability:PollEvery</c>) and applies every move. A filed request cancelled on our side
/// is a command: its cancellation is sent at each pass until the clearing house answers it. The clearing house is
/// called with no transaction open; each outcome is recorded in a short transaction of its own afterwards. The clearing
/// house being down only delays this; a request it forgot (a restart) is filed again under the same id.
/// </summary>
public sealed class PortabilityWorker(NpgsqlDataSource dataSource, IServiceScopeFactory scopes, IConfiguration configuration,
    TimeProvider clock, ILogger<PortabilityWorker> logger) : ClaimingWorker<PortabilityRequests.Open>(logger)
{
    protected override string Name => "portability follow-up";

    protected override TimeSpan PollInterval => configuration.GetValue("Portability:PollEvery", TimeSpan.FromSeconds(1));

    protected override int BatchSize => 100;

    protected override async Task<IReadOnlyList<PortabilityRequests.Open>> ClaimAsync(int batchSize, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<PortabilityRequests.Open>(
            $"""
            SELECT {PortabilityRequests.OpenColumns} FROM portability_requests p
            WHERE (p.state NOT IN ('ported', 'rejected', 'cancelled')
                   AND EXISTS (SELECT 1 FROM signups s WHERE s.id = p.signup_id AND s.status = 'completed'))
               OR (p.state = 'cancelled' AND p.submitted AND p.cancellation_confirmed_at IS NULL)
            ORDER BY p.updated_at LIMIT @batchSize
            """, new { batchSize })).AsList();
    }

    protected override async Task HandleOneAsync(PortabilityRequests.Open request, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var clearingHouse = scope.ServiceProvider.GetRequiredService<ClearingHouseClient>();
        if (request.State == "cancelled")
        {
            await CancelAsync(clearingHouse, request, ct);
            return;
        }
        var status = request.Submitted ? await clearingHouse.GetAsync(request.SubscriptionId, ct) : null;
        if (status is null)
        {
            status = await clearingHouse.SubmitAsync(request.SubscriptionId,
                new ClearingHouseRequest(request.Number, request.DonorOperator, request.DocumentNumber, request.DonorIccid), ct);
        }

        var db = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
        var current = await db.QuerySingleOrDefaultAsync<PortabilityRequests.Open>(
            $"SELECT {PortabilityRequests.OpenColumns} FROM portability_requests WHERE subscription_id = @SubscriptionId FOR UPDATE", request);
        if (current is null) return;
        await db.ExecuteAsync("UPDATE portability_requests SET submitted = true WHERE subscription_id = @SubscriptionId", request);
        // The clearing house may have moved on by several states since the last look: each one is announced in order.
        foreach (var state in PortabilityRequests.StepsBetween(current.State, status.State))
        {
            await PortabilityRequests.MoveAsync(db, current, state, state == status.State ? status.Reason : null,
                status.WindowStart, status.WindowEnd, clock.GetUtcNow());
            current = current with { State = state };
        }
        await db.CommitAsync(ct);
    }

    /// <summary>Sends the cancellation (an answer other than the request's state throws: sent again at the next pass) and records the answer.</summary>
    private async Task CancelAsync(ClearingHouseClient clearingHouse, PortabilityRequests.Open request, CancellationToken ct)
    {
        var answer = await clearingHouse.CancelAsync(request.SubscriptionId, ct);
        if (answer is { State: not "cancelled" })
            logger.LogWarning("The clearing house refused to cancel the port of {SubscriptionId}: it is already {State}", request.SubscriptionId, answer.State);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(
            "UPDATE portability_requests SET cancellation_confirmed_at = @now WHERE subscription_id = @SubscriptionId AND cancellation_confirmed_at IS NULL",
            new { request.SubscriptionId, now = clock.GetUtcNow() });
    }
}
