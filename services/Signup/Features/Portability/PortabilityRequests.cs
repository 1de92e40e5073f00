using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Signup.Features.SimCards;

namespace MasStack.Signup.Features.Portability;

/// <summary>The portability process of a ported line: its states, the moves between them and what each move does to stock.</summary>
public static class PortabilityRequests
{
    public const string ViewColumns =
        "subscription_id AS SubscriptionId, number, donor_operator AS DonorOperator, state, reason, window_start AS WindowStart, window_end AS WindowEnd";

    private static readonly string[] Order = ["requested", "donor-validation", "accepted", "scheduled", "ported"];
    private static readonly string[] Final = ["ported", "rejected", "cancelled"];

    /// <summary>Whether the clearing house's answer moves the request on (never backwards, never out of a final state).</summary>
    public static bool IsMove(string current, string next) =>
        !Final.Contains(current) && current != next
        && (next is "rejected" or "cancelled" || Array.IndexOf(Order, next) > Array.IndexOf(Order, current));

    /// <summary>
    /// The states to announce, in order, to go from <paramref name="current"/> to what the clearing house now says
    /// (<c>donor-validation → accepted → scheduled</c> when it moved on by several); none for no move or a backward one.
    /// </summary>
    public static IReadOnlyList<string> StepsBetween(string current, string next)
    {
        if (!IsMove(current, next)) return [];
        if (next is "rejected" or "cancelled") return [next];
        return Order.Skip(Array.IndexOf(Order, current) + 1).TakeWhile(s => s != next).Append(next).ToList();
    }

    public sealed record Open(long SubscriptionId, long SignupId, string Number, string DonorOperator, string DocumentNumber, string? DonorIccid,
        string? Iccid, string State, bool Submitted);

    /// <summary>Applies a move: the number becomes ours and the SIM active when ported; the SIM goes back to stock when rejected.</summary>
    public static async Task MoveAsync(UnitOfWork db, Open request, string state, string? reason, DateTimeOffset? windowStart, DateTimeOffset? windowEnd, DateTimeOffset now)
    {
        var version = await db.QuerySingleOrDefaultAsync<long>(
            """
            UPDATE portability_requests SET state = @state, reason = @reason, window_start = @windowStart, window_end = @windowEnd, updated_at = @now,
                   version = version + 1
            WHERE subscription_id = @SubscriptionId RETURNING version
            """, new { request.SubscriptionId, state, reason, windowStart, windowEnd, now });
        if (state == "ported")
        {
            await db.ExecuteAsync(
                """
                INSERT INTO numbers (msisdn, network, state, signup_id, subscription_id)
                SELECT @Number, coalesce(network, 'masmovil'), 'active', @SignupId, @SubscriptionId FROM signup_lines WHERE subscription_id = @SubscriptionId
                ON CONFLICT (msisdn) DO UPDATE SET state = 'active', signup_id = excluded.signup_id, subscription_id = excluded.subscription_id,
                    quarantined_until = NULL, updated_at = now()
                WHERE numbers.state IN ('ported-out', 'quarantined')
                """, request);
            await db.ExecuteAsync("UPDATE sim_cards SET state = 'active', updated_at = @now WHERE subscription_id = @SubscriptionId AND state = 'assigned'",
                new { request.SubscriptionId, now });
        }
        else if (state is "rejected" or "cancelled")
        {
            await SimStock.ReleaseAsync(db, subscriptionId: request.SubscriptionId);
        }
        await db.PublishAsync(new PortabilityChanged(
            request.SubscriptionId, request.SignupId, request.Number, request.DonorOperator, state, reason, windowStart, windowEnd, now, version));
    }

    /// <summary>
    /// A cancelled line's open portability is cancelled. Once filed, the clearing house is told by
    /// <see cref="PortabilityWorker"/>, which sends the cancellation until the clearing house answers it.
    /// </summary>
    public static async Task CancelAsync(UnitOfWork db, long subscriptionId, string reason, DateTimeOffset now)
    {
        var request = await db.QuerySingleOrDefaultAsync<Open>(
            $"SELECT {OpenColumns} FROM portability_requests WHERE subscription_id = @subscriptionId FOR UPDATE", new { subscriptionId });
        if (request is null || Final.Contains(request.State)) return;
        await MoveAsync(db, request, "cancelled", reason, null, null, now);
    }

    public const string OpenColumns =
        """
        subscription_id AS SubscriptionId, signup_id AS SignupId, number, donor_operator AS DonorOperator, document_number AS DocumentNumber,
        donor_iccid AS DonorIccid, iccid, state, submitted
        """;
}
