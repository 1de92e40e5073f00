namespace MasStack.Contracts;

/// <summary>
/// Why an in-flight line is cancelled: the fixed set Subscription accepts as <c>motiveId</c>. Master data
/// (<c>GET /master-data</c>, Signup) publishes the same list; this is its one definition.
/// </summary>
public sealed record CancellationMotive(int Id, string Code, string Description);

public static class CancellationMotives
{
    public static readonly IReadOnlyList<CancellationMotive> All =
    [
        new(1, "customer-withdrawal", "The customer withdrew from the contract before activation (right of withdrawal)."),
        new(2, "sale-error", "The sale was recorded with wrong data."),
        new(3, "sim-not-received", "The SIM never reached the customer."),
        new(4, "portability-rejected", "The donor operator rejected the portability."),
        new(5, "portability-withdrawn", "The customer withdrew the portability request."),
        new(6, "suspected-fraud", "The sale is suspected of fraud."),
        new(7, "duplicate-sale", "The line was sold twice."),
    ];

    public static CancellationMotive? Find(int id) => All.FirstOrDefault(m => m.Id == id);
}

/// <summary>
/// Why a live line is terminated: the fixed set Subscription accepts as a termination's <c>motiveId</c>, published by
/// master data beside the cancellation motives; this is its one definition.
/// </summary>
public static class TerminationMotives
{
    public static readonly IReadOnlyList<CancellationMotive> All =
    [
        new(101, "customer-request", "The customer no longer wants the service."),
        new(102, "moving-away", "The customer moves where we give no service."),
        new(103, "price", "The customer found a better price."),
        new(104, "service-quality", "The customer is unhappy with the service."),
        new(105, "holder-deceased", "The holder died."),
        new(106, "non-payment", "Ended by the operator for unpaid invoices."),
    ];

    public static CancellationMotive? Find(int id) => All.FirstOrDefault(m => m.Id == id);
}
