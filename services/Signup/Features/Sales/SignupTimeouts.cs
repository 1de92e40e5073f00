using MasStack.Platform.Data;

namespace MasStack.Signup.Features.Sales;

/// <summary>Fails a signup that is still pending after <c>Signup:Timeout</c> (default five minutes), naming the steps it waited for.</summary>
public sealed class SignupTimeouts(IServiceScopeFactory scopes, IConfiguration configuration, ILogger<SignupTimeouts> logger) : BackgroundService
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var timeout = configuration.GetValue("Signup:Timeout", TimeSpan.FromMinutes(5));
        using var timer = new PeriodicTimer(CheckEvery);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
                var stalled = await db.QueryAsync<Stalled>(
                    """
                    SELECT s.id AS SignupId, string_agg(st.step, ', ' ORDER BY st.step) AS Waiting
                    FROM signups s JOIN signup_steps st ON st.signup_id = s.id AND st.state = 'pending'
                    WHERE s.status = 'pending' AND s.created_at < now() - @timeout
                    GROUP BY s.id
                    LIMIT 100
                    """, new { timeout });
                foreach (var signup in stalled)
                    await SignupProgress.FailAsync(db, signup.SignupId, null, $"Timed out after {timeout} waiting for: {signup.Waiting}.");
                await db.CommitAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Checking for stalled signups failed");
            }
        }
    }

    private sealed record Stalled(long SignupId, string Waiting);
}
