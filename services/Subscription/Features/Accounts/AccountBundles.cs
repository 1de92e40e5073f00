using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Messaging;
using Npgsql;
using Dapper;

namespace MasStack.Subscription.Features.Accounts;

/// <summary>
/// The bundle of each account that holds lines here: it decides which products a line may change to. Written
/// with the lines of a sale (the same transaction), from <see cref="AccountOpened"/> for an account a migration opens, and kept
/// from <see cref="AccountBundleChanged"/>.
/// </summary>
public static class AccountBundles
{
    public sealed record AccountBundle(long AccountId, PaymentType PaymentType, string BundleCode);

    /// <summary>Keeps the account's bundle as of <paramref name="version"/> of the account, unless a newer one is held.</summary>
    public static Task KeepAsync(UnitOfWork db, long accountId, long userId, PaymentType paymentType, string bundleCode, long version) =>
        db.ExecuteAsync(
            """
            INSERT INTO account_bundles (account_id, user_id, payment_type, bundle_code, version)
            VALUES (@accountId, @userId, @PaymentType, @bundleCode, @version)
            ON CONFLICT (account_id) DO UPDATE SET payment_type = excluded.payment_type, bundle_code = excluded.bundle_code, updated_at = now(),
                version = greatest(account_bundles.version, excluded.version)
            WHERE excluded.version = 0 OR excluded.version > account_bundles.version
            """,
            new { accountId, userId, bundleCode, version, PaymentType = EnumText.Of(paymentType) });

    private const string Select = "SELECT account_id AS AccountId, payment_type AS PaymentType, bundle_code AS BundleCode FROM account_bundles WHERE account_id = @accountId";

    public static async Task<AccountBundle?> FindAsync(NpgsqlConnection connection, long accountId) =>
        Map(await connection.QuerySingleOrDefaultAsync<BundleRow>(Select, new { accountId }));

    public static async Task<AccountBundle?> FindAsync(UnitOfWork db, long accountId) =>
        Map(await db.QuerySingleOrDefaultAsync<BundleRow>(Select, new { accountId }));

    private static AccountBundle? Map(BundleRow? row) =>
        row is null ? null : new AccountBundle(row.AccountId, EnumText.Parse<PaymentType>(row.PaymentType), row.BundleCode);

    private sealed record BundleRow(long AccountId, string PaymentType, string BundleCode);
}

/// <summary>
/// The bundle of an account a migration opened. A sale's account (opened with a signup) is passed over: the sale's lines
/// wrote the same bundle, the account's first version, in their own transaction (<see cref="Lines.SignupSubmittedConsumer"/>),
/// and the two transactions only waited on each other's row lock.
/// </summary>
[ConsumerName("account-opened")]
public sealed class AccountOpenedConsumer(UnitOfWork db) : InboxConsumer<AccountOpened>(db)
{
    protected override bool Concerns(AccountOpened account) => account.SignupId is null;

    protected override Task Handle(AccountOpened account, UnitOfWork db, CancellationToken ct) =>
        AccountBundles.KeepAsync(db, account.AccountId, account.UserId, account.PaymentType, account.BundleCode, account.Version);
}

[ConsumerName("account-bundle-changed")]
public sealed class AccountBundleChangedConsumer(UnitOfWork db) : InboxConsumer<AccountBundleChanged>(db)
{
    protected override async Task Handle(AccountBundleChanged change, UnitOfWork db, CancellationToken ct)
    {
        if (await AccountBundles.FindAsync(db, change.AccountId) is not { } held) throw new AggregateNotKnownYetException("account", change.AccountId);
        await AccountBundles.KeepAsync(db, change.AccountId, change.UserId, held.PaymentType, change.ToBundleCode, change.Version);
    }
}
