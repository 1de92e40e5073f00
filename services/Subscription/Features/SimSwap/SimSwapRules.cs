using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Subscription.Features.Lines;

namespace MasStack.Subscription.Features.SimSwap;

public enum SimSwapReason { Lost, Stolen, Damaged, FormatChange, Faulty }

/// <summary>How the customer proved who they are: the identity document seen at the store, or a one-time code sent to the line online.</summary>
public enum IdentityCheck { DocumentInStore, OneTimeCode }

/// <summary>The SIM card as Signup's stock knows it.</summary>
public sealed record SimCard(string Iccid, string Network, string State, long? SubscriptionId);

/// <summary>
/// SIM-swap fraud (taking over a number to receive a bank's one-time codes) is the operator's liability: a swap
/// needs a reason and an identity check, and after one the line's SIM and its number (port-out) are held for
/// <see cref="Hold"/>, so that a fraudster cannot chain a second swap or port the number away before the customer notices.
/// </summary>
public static class SimSwapRules
{
    public static readonly TimeSpan Hold = TimeSpan.FromHours(72);

    /// <summary>Why the line cannot have its SIM swapped now (409), or null.</summary>
    public static string? LineRefusal(Line line, string newIccid, DateTimeOffset now)
    {
        if (line.Type != SubscriptionType.Mobile) return $"A {EnumText.Of(line.Type)} line has no SIM.";
        if (!LineLifecycle.HasSimInService(line.Status))
            return $"A line that is {EnumText.Of(line.Status)} has no SIM in service to replace.";
        if (line.Iccid is null) return "The line has no SIM assigned.";
        if (HoldUntil(line, now) is { } until)
            return $"SIM changes are held (sim-swap-hold) until {until:O}, 72 hours after the last SIM swap.";
        if (line.Iccid == newIccid) return $"The line already has the SIM {newIccid}.";
        return null;
    }

    /// <summary>The end of the hold that applies now, or null when there is none.</summary>
    public static DateTimeOffset? HoldUntil(Line line, DateTimeOffset now) => line.SimHoldUntil > now ? line.SimHoldUntil : null;

    /// <summary>The CAMARA SIM Swap check: was the SIM changed within the last <paramref name="maxAge"/>?</summary>
    public static bool SwappedWithin(DateTimeOffset? latestSimChange, TimeSpan maxAge, DateTimeOffset now) =>
        latestSimChange is { } at && now - at <= maxAge;
}
