using Dapper;
using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Subscription.Features.Lines;
using Npgsql;

namespace MasStack.Subscription.Features.Offers;

public sealed record OfferRow(long Id, long SubscriptionId, string Code, DateOnly StartDate, DateOnly EndDate)
{
    public OfferPeriod Period => new(StartDate, EndDate);
}

/// <summary>Bonuses and promotions on lines: one table, told apart by kind; a removed one is kept (removed_at) for the record.</summary>
public static class OfferStore
{
    private const string Columns = "id, subscription_id AS SubscriptionId, code, start_date AS StartDate, end_date AS EndDate";

    public static async Task<IReadOnlyList<OfferRow>> ListAsync(NpgsqlConnection connection, long subscriptionId, OfferKind kind) =>
        (await connection.QueryAsync<OfferRow>(
            $"SELECT {Columns} FROM subscription_offers WHERE subscription_id = @subscriptionId AND kind = @Kind AND removed_at IS NULL ORDER BY start_date, id",
            new { subscriptionId, Kind = EnumText.Of(kind) })).AsList();

    public static async Task<IReadOnlyList<OfferRow>> ListOfAccountAsync(NpgsqlConnection connection, long accountId, OfferKind kind) =>
        (await connection.QueryAsync<OfferRow>(
            $"""
            SELECT o.id, o.subscription_id AS SubscriptionId, o.code, o.start_date AS StartDate, o.end_date AS EndDate
            FROM subscription_offers o JOIN subscriptions s ON s.id = o.subscription_id
            WHERE s.account_id = @accountId AND o.kind = @Kind AND o.removed_at IS NULL ORDER BY o.subscription_id, o.start_date, o.id
            """,
            new { accountId, Kind = EnumText.Of(kind) })).AsList();

    /// <summary>The periods of the offers with this code the line holds, to refuse a duplicate (read in the line's locked transaction).</summary>
    public static async Task<IReadOnlyList<OfferPeriod>> PeriodsAsync(UnitOfWork db, long subscriptionId, OfferKind kind, string code) =>
        (await db.QueryAsync<OfferRow>(
            $"SELECT {Columns} FROM subscription_offers WHERE subscription_id = @subscriptionId AND kind = @Kind AND code = @code AND removed_at IS NULL",
            new { subscriptionId, Kind = EnumText.Of(kind), code })).Select(o => o.Period).ToList();

    public static async Task<OfferRow> AddAsync(UnitOfWork db, long id, Line line, OfferTerms terms, OfferPeriod period, DateTimeOffset now)
    {
        await db.ExecuteAsync(
            """
            INSERT INTO subscription_offers (id, subscription_id, kind, code, start_date, end_date, added_at)
            VALUES (@id, @SubscriptionId, @Kind, @Code, @StartDate, @EndDate, @now)
            """,
            new { id, SubscriptionId = line.Id, Kind = EnumText.Of(terms.Kind), terms.Code, period.StartDate, period.EndDate, now });
        await db.PublishAsync(new SubscriptionOfferAdded(
            id, terms.Kind, line.Id, line.AccountId, line.UserId, terms.Code, period.StartDate, period.EndDate, now,
            await LineStore.NextVersionAsync(db, line.Id, now)));
        return new OfferRow(id, line.Id, terms.Code, period.StartDate, period.EndDate);
    }

    /// <summary>Removes the offer; false when the line has no such offer (unknown, of the other kind, or removed already).</summary>
    public static async Task<bool> RemoveAsync(UnitOfWork db, Line line, OfferKind kind, long offerId, DateTimeOffset now)
    {
        var code = await db.QuerySingleOrDefaultAsync<string>(
            """
            UPDATE subscription_offers SET removed_at = @now
            WHERE id = @offerId AND subscription_id = @Id AND kind = @Kind AND removed_at IS NULL
            RETURNING code
            """, new { offerId, line.Id, Kind = EnumText.Of(kind), now });
        if (code is null) return false;
        await db.PublishAsync(new SubscriptionOfferRemoved(
            offerId, kind, line.Id, line.AccountId, line.UserId, code, now, await LineStore.NextVersionAsync(db, line.Id, now)));
        return true;
    }
}
