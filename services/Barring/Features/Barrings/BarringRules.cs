using MasStack.Contracts;
using MasStack.Platform.Data;

namespace MasStack.Barring.Features.Barrings;

/// <summary>Call barring after 3GPP (TS 22.088) and operator-determined barring (TS 22.041): what a line can be barred from.</summary>
public enum BarringType { Baoc, Boic, BoicExhc, Baic, BicRoam, PremiumRate, Roaming, Data }

public enum BarringSource { Customer, Operator }

public enum BarringReason { Request, Debt, Fraud, NonPayment, Lost, Stolen, ConsumptionLimit }

public enum SimStatus { Unblocked, Blocked }

public enum BarringAction { Set, Lift, Block, Unblock }

public sealed record ActiveBarring(BarringType Type, BarringSource Source, BarringReason Reason, DateTimeOffset Since, string By);

public sealed record SimBlock(BarringReason Reason, DateTimeOffset Since, string By);

/// <summary>One line of a profile's history: who did what, when and why (<see cref="Type"/> is null for a SIM block or unblock).</summary>
public sealed record BarringChange(BarringAction Action, BarringType? Type, BarringSource Source, BarringReason Reason, string By, DateTimeOffset At);

/// <summary>A line's barring profile: its barrings by type, source and reason, and the SIM block over them.</summary>
public sealed record BarringProfile(
    long SubscriptionId, long AccountId, long UserId, SubscriptionType LineType, SubscriptionStatus LineStatus, long Version,
    SimBlock? Block, IReadOnlyList<ActiveBarring> Barrings)
{
    public SimStatus SimStatus => Block is null ? SimStatus.Unblocked : SimStatus.Blocked;

    /// <summary>What the line is barred from: every type while the SIM is blocked, else the types some source bars.</summary>
    public IReadOnlyList<BarringType> BarredTypes =>
        Block is not null ? Enum.GetValues<BarringType>() : Barrings.Select(b => b.Type).Distinct().Order().ToList();

    /// <summary>Why the line is barred: the reasons of its SIM block and of its active barrings (kept through a block), each once.</summary>
    public IReadOnlyList<BarringReason> BarredFor =>
        Barrings.Select(b => b.Reason).Concat(Block is { } block ? [block.Reason] : []).Distinct().Order().ToList();
}

public sealed record BarringOrder(BarringType Type, BarringReason Reason);

/// <summary>A lift of the caller's barring of <see cref="Type"/>; with a <see cref="Reason"/>, only the entry for it.</summary>
public sealed record LiftOrder(BarringType Type, BarringReason? Reason);

/// <summary>What one set or lift did: <c>set</c>, <c>already-set</c>, <c>lifted</c>, <c>not-set</c>; the detail says why and what still bars the type.</summary>
public sealed record BarringOutcome(BarringAction Action, BarringType Type, string Result, string Detail);

/// <summary>The profile's barrings after a change, its history entries, what each order did, or why the change is forbidden (403).</summary>
public sealed record BarringChangeResult(
    IReadOnlyList<ActiveBarring> Barrings, IReadOnlyList<BarringChange> Changes, IReadOnlyList<BarringOutcome> Outcomes, string? Forbidden);

/// <summary>
/// The rules of barrings, pure: sources do not undo each other (the same type barred by the customer and by the operator
/// is two entries, and the type is free only when every source has lifted it); a customer cannot lift an operator's
/// barring; lifting what is not set is a no-op that says so; the consumption limit's barring is set and lifted by the
/// limit alone; a SIM blocked as stolen stays blocked until a SIM swap.
/// </summary>
public static class BarringRules
{
    /// <summary>What a reached consumption limit bars: outgoing chargeable traffic (calls and SMS, and data).</summary>
    public static readonly IReadOnlyList<BarringType> ConsumptionLimitTypes = [BarringType.Baoc, BarringType.Data];

    public const string ConsumptionLimitActor = "consumption-limit", SimSwapActor = "sim-swap";

    /// <summary>Why the line's barrings cannot change in its state (409), or null.</summary>
    public static string? LineRefusal(BarringProfile profile) =>
        EndedLines.Contains(profile.LineStatus) || !Enum.IsDefined(profile.LineStatus)
            ? $"The line is {EnumText.Of(profile.LineStatus)}; its barrings can no longer change."
            : null;

    /// <summary>Sets and lifts several barrings of one source at once: all of them, or — when one is forbidden — none.</summary>
    public static BarringChangeResult Change(
        BarringProfile profile, BarringSource source, IReadOnlyList<BarringOrder> sets, IReadOnlyList<LiftOrder> lifts, string by, DateTimeOffset now)
    {
        var barrings = profile.Barrings.ToList();
        var changes = new List<BarringChange>();
        var outcomes = new List<BarringOutcome>();
        foreach (var set in sets)
        {
            if (barrings.Any(b => b.Type == set.Type && b.Source == source && b.Reason == set.Reason))
            {
                outcomes.Add(new(BarringAction.Set, set.Type, "already-set", $"{Name(set.Type)} is already barred by the {Name(source)} ({Name(set.Reason)})."));
                continue;
            }
            barrings.Add(new ActiveBarring(set.Type, source, set.Reason, now, by));
            changes.Add(new BarringChange(BarringAction.Set, set.Type, source, set.Reason, by, now));
            outcomes.Add(new(BarringAction.Set, set.Type, "set", $"{Name(set.Type)} barred by the {Name(source)} ({Name(set.Reason)})."));
        }
        foreach (var lift in lifts)
        {
            var own = barrings.Where(b => b.Type == lift.Type && b.Source == source
                && (lift.Reason is { } reason ? b.Reason == reason : b.Reason != BarringReason.ConsumptionLimit)).ToList();
            var others = barrings.Where(b => b.Type == lift.Type && b.Source != source).ToList();
            if (own.Count == 0)
            {
                if (source == BarringSource.Customer && others.FirstOrDefault(o => o.Source == BarringSource.Operator) is { } held)
                    return new([], [], [], $"{Name(lift.Type)} is barred by the operator ({Name(held.Reason)}); a customer cannot lift it.");
                outcomes.Add(new(BarringAction.Lift, lift.Type, "not-set", $"{Name(lift.Type)} is not barred by the {Name(source)}: nothing to lift." + StillBarred(barrings, lift.Type)));
                continue;
            }
            foreach (var entry in own)
            {
                barrings.Remove(entry);
                changes.Add(new BarringChange(BarringAction.Lift, entry.Type, source, entry.Reason, by, now));
            }
            outcomes.Add(new(BarringAction.Lift, lift.Type, "lifted", $"The {Name(source)}'s barring of {Name(lift.Type)} is lifted." + StillBarred(barrings, lift.Type)));
        }
        return new(barrings, changes, outcomes, null);
    }

    /// <summary>The block of the line's SIM for <paramref name="reason"/>; null when it is blocked for that reason already.</summary>
    public static (SimBlock? Block, BarringChange? Change, string? Conflict) Block(BarringProfile profile, BarringReason reason, string by, DateTimeOffset now)
    {
        if (profile.LineType != SubscriptionType.Mobile) return (null, null, $"A {EnumText.Of(profile.LineType)} line has no SIM to block.");
        if (profile.Block?.Reason == reason) return (profile.Block, null, null);
        if (profile.Block?.Reason == BarringReason.Stolen)
            return (null, null, "The SIM is blocked as stolen and stays so; a SIM swap is the way back.");
        return (new SimBlock(reason, now, by), new BarringChange(BarringAction.Block, null, BarringSource.Operator, reason, by, now), null);
    }

    /// <summary>
    /// The unblock of the line's SIM: the barrings of the profile, kept untouched by the block, are again what bars the
    /// line. No change when it is not blocked; refused for a stolen SIM unless a SIM swap unblocks it.
    /// </summary>
    public static (BarringChange? Change, string? Conflict) Unblock(BarringProfile profile, string by, DateTimeOffset now, bool bySimSwap = false)
    {
        if (profile.LineType != SubscriptionType.Mobile) return (null, $"A {EnumText.Of(profile.LineType)} line has no SIM to unblock.");
        if (profile.Block is not { } block) return (null, null);
        if (block.Reason == BarringReason.Stolen && !bySimSwap)
            return (null, "A SIM blocked as stolen cannot be unblocked: a SIM swap is the way back.");
        return (new BarringChange(BarringAction.Unblock, null, BarringSource.Operator, block.Reason, by, now), null);
    }

    /// <summary>A SIM swap after the block gives the line a SIM that was never lost: the block ends.</summary>
    public static bool SwapEndsBlock(BarringProfile profile, DateTimeOffset swappedAt) => profile.Block is { } block && swappedAt > block.Since;

    /// <summary>The operator's barring of outgoing chargeable traffic while the consumption limit is reached.</summary>
    public static BarringChangeResult ConsumptionLimitReached(BarringProfile profile, DateTimeOffset now) =>
        Change(profile, BarringSource.Operator, [.. ConsumptionLimitTypes.Select(t => new BarringOrder(t, BarringReason.ConsumptionLimit))], [],
            ConsumptionLimitActor, now);

    public static BarringChangeResult ConsumptionLimitCleared(BarringProfile profile, DateTimeOffset now) =>
        Change(profile, BarringSource.Operator, [], [.. ConsumptionLimitTypes.Select(t => new LiftOrder(t, BarringReason.ConsumptionLimit))],
            ConsumptionLimitActor, now);

    private static string StillBarred(IEnumerable<ActiveBarring> barrings, BarringType type)
    {
        var holders = barrings.Where(b => b.Type == type).Select(b => $"the {Name(b.Source)} ({Name(b.Reason)})").ToList();
        return holders.Count == 0 ? "" : $" It stays barred by {string.Join(" and ", holders)}.";
    }

    private static string Name<T>(T value) where T : struct, Enum => EnumText.Of(value);
}
