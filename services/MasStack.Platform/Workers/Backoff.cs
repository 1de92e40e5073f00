namespace MasStack.Platform.Workers;

/// <summary>
/// The one backoff rule for work that is tried again later (outbox rows, work orders, clearing-house commands, a
/// worker pass that failed): a quarter of a second after the first failure, doubling with each further one, capped
/// at thirty seconds, with a quarter either side of jitter so that instances retrying together drift apart.
/// </summary>
public static class Backoff
{
    public static readonly TimeSpan First = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan Cap = TimeSpan.FromSeconds(30);

    /// <summary>The wait after <paramref name="failures"/> failed attempts (1 for the first), before jitter.</summary>
    public static TimeSpan After(int failures)
    {
        var delay = First * Math.Pow(2, Math.Clamp(failures - 1, 0, 20));
        return delay < Cap ? delay : Cap;
    }

    /// <summary><see cref="After(int)"/> spread by <paramref name="jitter"/> (0 to 1) over ±25 %.</summary>
    public static TimeSpan After(int failures, double jitter) => After(failures) * (0.75 + 0.5 * jitter);

    public static TimeSpan Jittered(int failures) => After(failures, Random.Shared.NextDouble());
}
