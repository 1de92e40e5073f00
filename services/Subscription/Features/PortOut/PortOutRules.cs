using MasStack.Contracts;
using MasStack.Subscription.Features.Lines;

namespace MasStack.Subscription.Features.PortOut;

/// <summary>What another operator's request to port one of our numbers away says about its holder.</summary>
public sealed record PortOutAsk(string? DocumentNumber, string? DonorIccid);

/// <summary>
/// We are the donor: a port-out is validated as the receiving operator's own requests are validated by donors — a
/// postpaid line against its holder's document number, a prepaid line against its SIM's ICCID — and refused while the
/// 72-hour hold after a SIM swap is on (<c>recent-sim-change</c>: the fraud that hold exists to stop). Pure.
/// </summary>
public static class PortOutRules
{
    public const string UnknownNumber = "unknown-number", LineNotActive = "line-not-active", DocumentMismatch = "document-mismatch",
        IccidMismatch = "iccid-mismatch", RecentSimChange = "recent-sim-change", PortOutInProgress = "port-out-in-progress";

    /// <summary>The reason code of the refusal, or null when the port-out is accepted.</summary>
    public static string? Refusal(Line? line, PaymentType paymentType, string? holderDocument, PortOutAsk ask, bool anotherInProgress, DateTimeOffset now)
    {
        if (line is null) return UnknownNumber;
        if (line.Status is not (SubscriptionStatus.Active or SubscriptionStatus.Barred)) return LineNotActive;
        if (paymentType == PaymentType.Prepaid)
        {
            if (ask.DonorIccid is null || !string.Equals(ask.DonorIccid.Trim(), line.Iccid, StringComparison.Ordinal)) return IccidMismatch;
        }
        else if (ask.DocumentNumber is null || holderDocument is null
                 || !string.Equals(ask.DocumentNumber.Trim(), holderDocument, StringComparison.OrdinalIgnoreCase))
            return DocumentMismatch;
        if (line.SimHoldUntil > now) return RecentSimChange;
        if (anotherInProgress) return PortOutInProgress;
        return null;
    }
}
