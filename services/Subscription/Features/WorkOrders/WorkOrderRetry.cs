namespace MasStack.Subscription.Features.WorkOrders;

/// <summary>
/// When to try a work order again after the network did not answer (each try already had the HTTP pipeline's own
/// quick retries): exponential backoff, capped, and a limit after which the order is failed for an operator to look at.
/// </summary>
public static class WorkOrderRetry
{
    public const int MaxAttempts = 12;
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(30);

    /// <summary>The wait after failed attempt number <paramref name="attempts"/> (1-based), or null when it was the last.</summary>
    public static TimeSpan? NextDelay(int attempts)
    {
        if (attempts >= MaxAttempts) return null;
        var delay = First * Math.Pow(2, Math.Max(0, attempts - 1));
        return delay < Cap ? delay : Cap;
    }
}
