namespace MasStack.Notifications.Features.Hub;

/// <summary>The hub's settings (section <c>Hub</c>).</summary>
public sealed class HubOptions
{
    /// <summary>https and public addresses only (default: outside Development).</summary>
    public bool RequirePublicCallbacks { get; set; } = true;

    /// <summary>Origins (<c>scheme://host:port</c>) exempt from the public-address rule: the test suite's receiver.</summary>
    public List<string> AllowedCallbacks { get; set; } = [];

    /// <summary>The waits between attempts; after the last one fails the registration is suspended.</summary>
    public List<TimeSpan> RetrySchedule { get; set; } = [];

    /// <summary>The configured schedule, else <see cref="RetrySchedules.Production"/>.</summary>
    public IReadOnlyList<TimeSpan> Schedule => RetrySchedule.Count > 0 ? RetrySchedule : RetrySchedules.Production;

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Requests in flight to one callback origin at most, per instance.</summary>
    public int ConcurrencyPerCallback { get; set; } = 4;

    /// <summary>How often an idle dispatcher looks for work nothing woke it for (deliveries another instance recorded, leases that ran out).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);
}

public static class RetrySchedules
{
    /// <summary>Standard Webhooks' schedule, stretched: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h — 27 h 35 min 5 s in all.</summary>
    public static readonly TimeSpan[] Production =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
        TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10),
    ];

    /// <summary>The wait after failed attempt <paramref name="attempt"/> (from 1), or null when the schedule is used up.</summary>
    public static TimeSpan? After(IReadOnlyList<TimeSpan> schedule, int attempt) => attempt >= 1 && attempt <= schedule.Count ? schedule[attempt - 1] : null;
}
