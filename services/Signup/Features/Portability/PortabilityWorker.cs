using MasStack.Platform.Data;

namespace MasStack.Signup.Features.Portability;

/// <summary>
/// Carries each ported line's request through the clearing house once its sale is complete: files it, then follows
/// its state (polling, every <c>Portability:PollEvery</c>) and applies every move. The clearing house being down only
/// delays this; a request it forgot (a restart) is filed again under the same id.
/// </summary>
public sealed class PortabilityWorker(IServiceScopeFactory scopes, ClearingHouseClient clearingHouse, IConfiguration configuration,
    TimeProvider clock, ILogger<PortabilityWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(configuration.GetValue("Portability:PollEvery", TimeSpan.FromSeconds(1)));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var open = await scope.ServiceProvider.GetRequiredService<UnitOfWork>().QueryAsync<PortabilityRequests.Open>(
                    $"""
                    SELECT {PortabilityRequests.OpenColumns} FROM portability_requests p
                    WHERE p.state NOT IN ('ported', 'rejected', 'cancelled')
                      AND EXISTS (SELECT 1 FROM signups s WHERE s.id = p.signup_id AND s.status = 'completed')
                    ORDER BY p.updated_at LIMIT 100
                    """);
                foreach (var request in open) await FollowAsync(request, stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Following portability requests failed; retrying on the next tick");
            }
        }
    }

    private async Task FollowAsync(PortabilityRequests.Open request, CancellationToken ct)
    {
        var status = request.Submitted ? await clearingHouse.GetAsync(request.SubscriptionId, ct) : null;
        if (status is null)
        {
            status = await clearingHouse.SubmitAsync(request.SubscriptionId,
                new ClearingHouseRequest(request.Number, request.DonorOperator, request.DocumentNumber, request.DonorIccid), ct);
        }

        await using var scope = scopes.CreateAsyncScope();
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
}
