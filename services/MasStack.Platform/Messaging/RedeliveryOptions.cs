using Microsoft.Extensions.Configuration;

namespace MasStack.Platform.Messaging;

/// <summary>
/// How a message whose handler fails is tried again: <see cref="Retries"/> in memory at once (a deadlock, a blip),
/// then <see cref="Delays"/> as delayed redeliveries through the broker (an outage: the queue keeps flowing meanwhile),
/// and only after the last one is it parked in the queue's <c>_error</c> queue for an operator.
/// </summary>
/// <remarks>
/// Configuration (every service): <c>Messaging:Redelivery:Retries</c> and <c>Messaging:Redelivery:Delays</c>, each a
/// list of time spans (<c>Messaging__Redelivery__Delays__0=00:00:10</c>, …). The default delays add up to 15 min 40 s.
/// </remarks>
public sealed record RedeliveryOptions(IReadOnlyList<TimeSpan> Retries, IReadOnlyList<TimeSpan> Delays)
{
    public const string Section = "Messaging:Redelivery";

    public static readonly RedeliveryOptions Default = new(
        [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1)],
        [TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(8)]);

    /// <summary>How long a failing message keeps being redelivered before it is parked.</summary>
    public TimeSpan Window => Delays.Aggregate(TimeSpan.Zero, (sum, delay) => sum + delay);

    public static RedeliveryOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var options = new RedeliveryOptions(
            section.GetSection(nameof(Retries)).Get<TimeSpan[]>() ?? [.. Default.Retries],
            section.GetSection(nameof(Delays)).Get<TimeSpan[]>() ?? [.. Default.Delays]);
        if (options.Retries.Any(r => r < TimeSpan.Zero))
            throw new InvalidOperationException($"{Section}:{nameof(Retries)} must not be negative.");
        if (options.Delays.Count == 0 || options.Delays.Any(d => d < TimeSpan.FromMilliseconds(100)))
            throw new InvalidOperationException($"{Section}:{nameof(Delays)} needs at least one delay, each of 100 ms or more.");
        return options;
    }
}
