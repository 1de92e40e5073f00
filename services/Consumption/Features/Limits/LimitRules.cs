namespace MasStack.Consumption.Features.Limits;

/// <summary>
/// A line's limit state: its monthly cap (postpaid; null when none), the month whose cap is reached (the line is barred
/// until it is cleared; for a prepaid line, the month its balance ran out), the last month warned at 80 %, and the version of
/// the state's events.
/// </summary>
public sealed record LimitState(decimal? Limit, long Version, string? ReachedPeriod, string? WarnedPeriod);

public enum LimitChangeKind { Warned, Reached, Cleared }

/// <summary>One event of the limit state, with the version it carries; <see cref="Reason"/> says why a cleared limit cleared.</summary>
public sealed record LimitChange(LimitChangeKind Kind, long Version, string Period, decimal Spent, string? Reason = null);

/// <summary>
/// The spending cap's rules, pure (the EU bill-shock pattern): at 80 % of the month's cap one warning per month; at 100 %
/// the limit is reached (Barring bars outgoing chargeable traffic); raising the cap above what is spent or deleting it
/// clears it at once, and so does a new month. A prepaid balance that runs out is a reached limit of zero, cleared by a
/// recharge.
/// </summary>
public static class LimitRules
{
    public const decimal WarningShare = 0.8m;

    public const string Raised = "raised", Deleted = "deleted", NewMonth = "new-month", Recharged = "recharged";

    /// <summary>What spending <paramref name="spent"/> in <paramref name="period"/> changes (postpaid, with a cap).</summary>
    public static (LimitState State, IReadOnlyList<LimitChange> Changes) AfterSpending(LimitState state, string period, decimal spent)
    {
        var changes = new List<LimitChange>();
        if (state.Limit is not { } limit) return (state, changes);
        if (spent >= limit * WarningShare && string.CompareOrdinal(state.WarnedPeriod, period) < 0)
        {
            state = state with { Version = state.Version + 1, WarnedPeriod = period };
            changes.Add(new(LimitChangeKind.Warned, state.Version, period, spent));
        }
        if (spent >= limit && state.ReachedPeriod is null)
        {
            state = state with { Version = state.Version + 1, ReachedPeriod = period };
            changes.Add(new(LimitChangeKind.Reached, state.Version, period, spent));
        }
        return (state, changes);
    }

    /// <summary>The cap set to <paramref name="limit"/> (null: deleted) while <paramref name="spent"/> is spent in <paramref name="period"/>, the current month.</summary>
    public static (LimitState State, IReadOnlyList<LimitChange> Changes) AfterLimitSet(LimitState state, decimal? limit, string period, decimal spent)
    {
        var changes = new List<LimitChange>();
        state = state with { Limit = limit };
        if (state.ReachedPeriod is not null && (limit is null || limit > spent))
        {
            state = state with { Version = state.Version + 1, ReachedPeriod = null };
            changes.Add(new(LimitChangeKind.Cleared, state.Version, period, spent, limit is null ? Deleted : Raised));
        }
        var (after, more) = AfterSpending(state, period, spent);
        return (after, [.. changes, .. more]);
    }

    /// <summary>A new month: a cap reached in an earlier month no longer holds.</summary>
    public static bool ClearsForNewMonth(LimitState state, string currentPeriod) =>
        state.Limit is not null && state.ReachedPeriod is { } reached && string.CompareOrdinal(reached, currentPeriod) < 0;

    /// <summary>A prepaid balance that ran out: reached (once) when nothing is left after usage that cost something or was refused.</summary>
    public static (LimitState State, LimitChange? Change) AfterPrepaidUsage(LimitState state, decimal balanceLeft, bool charged, string period)
    {
        if (!charged || balanceLeft > 0 || state.ReachedPeriod is not null) return (state, null);
        state = state with { Version = state.Version + 1, ReachedPeriod = period };
        return (state, new LimitChange(LimitChangeKind.Reached, state.Version, period, 0m));
    }

    /// <summary>A recharge that leaves money on a balance that ran out clears it.</summary>
    public static (LimitState State, LimitChange? Change) AfterRecharge(LimitState state, decimal balance, string period)
    {
        if (state.ReachedPeriod is null || balance <= 0) return (state, null);
        state = state with { Version = state.Version + 1, ReachedPeriod = null };
        return (state, new LimitChange(LimitChangeKind.Cleared, state.Version, period, 0m, Recharged));
    }
}
