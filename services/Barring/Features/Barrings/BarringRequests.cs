using MasStack.Platform.Data;
using MasStack.Platform.Http;

namespace MasStack.Barring.Features.Barrings;

/// <summary>
/// <c>PATCH /subscriptions/{id}/barrings</c>: the barrings one source sets and lifts, all or nothing, e.g.
/// <c>{"source":"customer","set":[{"type":"roaming"}],"lift":[{"type":"premium-rate"}]}</c>. A set's reason defaults
/// to <c>request</c>; a lift without a reason lifts every entry of the source for the type but the consumption limit's.
/// </summary>
public sealed record BarringPatch(string? Source, List<BarringItem?>? Set, List<BarringItem?>? Lift);

public sealed record BarringItem(string? Type, string? Reason);

/// <summary><c>PUT /subscriptions/{id}/sim-status</c>: <c>{"status":"blocked","reason":"lost"}</c> or <c>{"status":"unblocked"}</c>.</summary>
public sealed record SimStatusRequest(string? Status, string? Reason);

/// <summary>A PATCH read and checked: its source, sets and lifts.</summary>
public sealed record ValidBarringPatch(BarringSource Source, IReadOnlyList<BarringOrder> Sets, IReadOnlyList<LiftOrder> Lifts);

public sealed record ValidSimStatus(SimStatus Status, BarringReason? Reason);

/// <summary>Reads requests into orders, or the 400 errors naming each field as the client wrote it (<c>set[1].type</c>).</summary>
public static class BarringRequests
{
    /// <summary>A SIM is blocked for one of these; the consumption limit bars traffic, never the SIM.</summary>
    public static readonly BarringReason[] SimBlockReasons =
        [BarringReason.Lost, BarringReason.Stolen, BarringReason.Fraud, BarringReason.NonPayment, BarringReason.Debt, BarringReason.Request];

    public static (ValidBarringPatch? Patch, ValidationErrors Errors) Read(BarringPatch? patch, string? why)
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(why)) errors.Add("X-Reason", "Say why the barrings change (header X-Reason).");
        if (patch is null)
        {
            errors.Add("body", "A JSON object with source and set or lift.");
            return (null, errors);
        }
        BarringSource source = default;
        if (errors.Required("source", patch.Source) && !EnumText.TryParse(patch.Source, out source))
            errors.Add("source", $"One of {EnumText.Choices<BarringSource>()}.");
        if ((patch.Set?.Count ?? 0) + (patch.Lift?.Count ?? 0) == 0) errors.Add("set", "Set or lift at least one barring.");

        var seen = new HashSet<BarringType>();
        var sets = new List<BarringOrder>();
        var lifts = new List<LiftOrder>();
        foreach (var (item, i) in (patch.Set ?? []).Select((item, i) => (item, i)))
            if (ReadItem(item, $"set[{i}]", errors, seen, defaultReason: BarringReason.Request) is { } set) sets.Add(new(set.Type, set.Reason!.Value));
        foreach (var (item, i) in (patch.Lift ?? []).Select((item, i) => (item, i)))
            if (ReadItem(item, $"lift[{i}]", errors, seen, defaultReason: null) is { } lift) lifts.Add(new(lift.Type, lift.Reason));
        return errors.IsEmpty ? (new ValidBarringPatch(source, sets, lifts), errors) : (null, errors);
    }

    public static (ValidSimStatus? Request, ValidationErrors Errors) Read(SimStatusRequest? request, string? why)
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(why)) errors.Add("X-Reason", "Say why the SIM status changes (header X-Reason).");
        SimStatus status = default;
        if (errors.Required("status", request?.Status) && !EnumText.TryParse(request!.Status, out status))
            errors.Add("status", $"One of {EnumText.Choices<SimStatus>()}.");
        BarringReason? reason = null;
        if (request?.Reason is { } text)
        {
            if (EnumText.TryParse<BarringReason>(text, out var parsed) && SimBlockReasons.Contains(parsed)) reason = parsed;
            else errors.Add("reason", $"One of {string.Join(", ", SimBlockReasons.Select(EnumText.Of))}.");
        }
        else if (status == SimStatus.Blocked && request?.Status is not null) errors.Add("reason", "Why the SIM is blocked: " + string.Join(", ", SimBlockReasons.Select(EnumText.Of)) + ".");
        return errors.IsEmpty ? (new ValidSimStatus(status, reason), errors) : (null, errors);
    }

    private static (BarringType Type, BarringReason? Reason)? ReadItem(
        BarringItem? item, string field, ValidationErrors errors, HashSet<BarringType> seen, BarringReason? defaultReason)
    {
        if (item is null)
        {
            errors.Add(field, "A barring: {type, reason}.");
            return null;
        }
        var valid = true;
        BarringType type = default;
        if (!errors.Required($"{field}.type", item.Type)) valid = false;
        else if (!EnumText.TryParse(item.Type, out type))
        {
            errors.Add($"{field}.type", $"One of {EnumText.Choices<BarringType>()}.");
            valid = false;
        }
        else if (!seen.Add(type))
        {
            errors.Add($"{field}.type", $"{item.Type} appears more than once in this call: set or lift each barring once.");
            valid = false;
        }
        var reason = defaultReason;
        if (item.Reason is { } text)
        {
            if (!EnumText.TryParse<BarringReason>(text, out var parsed))
            {
                errors.Add($"{field}.reason", $"One of {EnumText.Choices<BarringReason>()}.");
                valid = false;
            }
            else if (parsed == BarringReason.ConsumptionLimit)
            {
                errors.Add($"{field}.reason", "The consumption limit's barring is set and lifted by the limit itself: raise or delete the limit.");
                valid = false;
            }
            else reason = parsed;
        }
        return valid ? (type, reason) : null;
    }
}
