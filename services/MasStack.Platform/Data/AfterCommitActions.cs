using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MasStack.Platform.Data;

/// <summary>
/// Runs what follows a commit (dropping a cached copy, waking a worker). The transaction has committed, so a failing
/// action must not fail the request or the message: it is logged and tried again in the background, with growing
/// delays, until it succeeds or the process stops. Actions must therefore be safe to repeat.
/// </summary>
public sealed class AfterCommitActions(IHostApplicationLifetime lifetime, ILogger<AfterCommitActions> logger)
{
    private static readonly TimeSpan FirstRetryAfter = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LongestRetryAfter = TimeSpan.FromSeconds(10);
    private const int MostPending = 10_000;
    private int _pending;

    public int Pending => Volatile.Read(ref _pending);

    public async Task RunAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception e)
        {
            if (Interlocked.Increment(ref _pending) > MostPending)
            {
                Interlocked.Decrement(ref _pending);
                logger.LogError(e, "An action after commit failed and {Pending} are already waiting to be retried: this one is dropped", MostPending);
                return;
            }
            logger.LogWarning(e, "An action after commit failed; it will be retried in the background");
            _ = RetryAsync(action, lifetime.ApplicationStopping);
        }
    }

    private async Task RetryAsync(Func<Task> action, CancellationToken stopping)
    {
        try
        {
            for (var delay = FirstRetryAfter; ; delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestRetryAfter.Ticks)))
            {
                await Task.Delay(delay, stopping);
                try
                {
                    await action();
                    logger.LogInformation("An action after commit succeeded on retry");
                    return;
                }
                catch (Exception e)
                {
                    logger.LogWarning(e, "An action after commit failed again; it will be retried");
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            logger.LogWarning("The process stopped before an action after commit succeeded");
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
        }
    }
}
