using Dapper;
using MassTransit;
using MasStack.Platform.Data;
using MasStack.Platform.Workers;
using Npgsql;

namespace MasStack.Signup.Features.Sales;

/// <summary>
/// Fails a signup whose progress stalled for <c>Signup:Timeout</c> (default five minutes), naming the steps it waited
/// for. The clock counts from the last step that moved (the latest change of its steps), not from the sale's start.
/// While this instance's connection to the broker is down the clock is paused (the waiting steps count as just moved):
/// no confirmation can arrive then, so a broker outage, however long, does not fail sales that were accepted. Each signup is failed in a transaction of its own, taken
/// with <c>SKIP LOCKED</c>: a signup a confirmation (or another instance) is working on is left for the next pass.
/// </summary>
public sealed class SignupTimeouts(
    NpgsqlDataSource dataSource, IServiceScopeFactory scopes, IBusControl bus, IConfiguration configuration, ILogger<SignupTimeouts> logger)
    : ClaimingWorker<long>(logger)
{
    private readonly TimeSpan _timeout = configuration.GetValue("Signup:Timeout", TimeSpan.FromMinutes(5));

    protected override string Name => "signup timeouts";

    protected override TimeSpan PollInterval => TimeSpan.FromSeconds(2);

    protected override int BatchSize => 50;

    protected override async Task<IReadOnlyList<long>> ClaimAsync(int batchSize, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        if (bus.CheckHealth().Status != BusHealthStatus.Healthy)
        {
            // The clock is paused: every waiting step counts as just moved, until the broker is back.
            await connection.ExecuteAsync(
                "UPDATE signup_steps st SET updated_at = now() FROM signups s WHERE s.id = st.signup_id AND s.status = 'pending' AND st.state = 'pending'");
            return [];
        }
        return (await connection.QueryAsync<long>(
            """
            SELECT s.id FROM signups s
            WHERE s.status = 'pending'
              AND (SELECT max(st.updated_at) FROM signup_steps st WHERE st.signup_id = s.id) < now() - @_timeout
            ORDER BY s.id LIMIT @batchSize
            """, new { _timeout, batchSize })).AsList();
    }

    protected override async Task HandleOneAsync(long signupId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
        var stalled = await db.QuerySingleOrDefaultAsync<string>(
            """
            SELECT (SELECT string_agg(st.step, ', ' ORDER BY st.step) FROM signup_steps st WHERE st.signup_id = s.id AND st.state = 'pending')
            FROM signups s
            WHERE s.id = @signupId AND s.status = 'pending'
              AND (SELECT max(st.updated_at) FROM signup_steps st WHERE st.signup_id = s.id) < now() - @_timeout
            FOR UPDATE OF s SKIP LOCKED
            """, new { signupId, _timeout });
        if (stalled is null) return;
        await SignupProgress.FailAsync(db, signupId, null, $"No progress for {_timeout} waiting for: {stalled}.");
        await db.CommitAsync(ct);
    }
}
