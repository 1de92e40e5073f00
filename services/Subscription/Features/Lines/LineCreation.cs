using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Ids;
using MasStack.Platform.Messaging;
using MasStack.Subscription.Features.Accounts;

namespace MasStack.Subscription.Features.Lines;

/// <summary>Creates the lines of a sale — pending activation, or pending portability for a ported number — and confirms them.</summary>
[ConsumerName("signup-submitted")]
public sealed class SignupSubmittedConsumer(UnitOfWork db) : InboxConsumer<SignupSubmitted>(db)
{
    protected override async Task Handle(SignupSubmitted signup, UnitOfWork db, CancellationToken ct)
    {
        // The sale opens the account: what it says is the account's first version.
        await AccountBundles.KeepAsync(db, signup.AccountId, signup.UserId, signup.PaymentType, signup.BundleCode, version: 1);
        // The holder's document, which a donor checks a postpaid port-out against (it never changes once registered).
        await db.ExecuteAsync(
            "INSERT INTO user_documents (user_id, document_number) VALUES (@UserId, @DocumentNumber) ON CONFLICT (user_id) DO NOTHING",
            new { signup.UserId, signup.Customer.DocumentNumber });
        await CreateLinesAsync(db, signup.SignupId, signup.AccountId, signup.UserId, signup.Lines, signup.SubmittedAt);
    }

    /// <summary>
    /// Creates the lines of a sale (or one line added to an account) and confirms them, in one event when there are several;
    /// refuses them all if a number is taken.
    /// </summary>
    public static async Task CreateLinesAsync(UnitOfWork db, long signupId, long accountId, long userId, IReadOnlyList<SignupLine> lines, DateTimeOffset at)
    {
        var numbers = lines.Where(l => l.Number is not null).Select(l => l.Number).ToArray();
        var taken = await db.QueryAsync<string>(
            $"SELECT number FROM subscriptions WHERE number = ANY(@numbers) AND signup_id IS DISTINCT FROM @signupId AND status NOT IN ({EndedLines.Sql})",
            new { numbers, signupId });
        if (taken.Count > 0)
        {
            var line = lines.First(l => l.Number == taken[0]);
            await db.PublishAsync(new SignupStepFailed(
                signupId, SignupSteps.Subscription(line.SubscriptionId), $"The number {taken[0]} already belongs to another line."));
            return;
        }

        var created = new List<SubscriptionCreated>(lines.Count);
        foreach (var line in lines)
        {
            var status = line.NumberMode == NumberMode.Portability ? SubscriptionStatus.PendingPortability : SubscriptionStatus.PendingActivation;
            var inserted = await db.ExecuteAsync(
                """
                INSERT INTO subscriptions (id, account_id, user_id, signup_id, type, number_mode, number, iccid, product_code, status, created_at)
                VALUES (@SubscriptionId, @accountId, @userId, @signupId, @Type, @NumberMode, @Number, @Iccid, @ProductCode, @Status, @at)
                ON CONFLICT (id) DO NOTHING
                """,
                new
                {
                    line.SubscriptionId, accountId, userId, signupId, line.Number, line.Iccid, line.ProductCode,
                    at, Type = EnumText.Of(line.Type), Status = EnumText.Of(status),
                    NumberMode = line.NumberMode is { } mode ? EnumText.Of(mode) : null,
                });
            if (inserted == 0)
            {
                var same = await db.QuerySingleOrDefaultAsync<bool>(
                    "SELECT signup_id IS NOT DISTINCT FROM @signupId AND account_id = @accountId FROM subscriptions WHERE id = @SubscriptionId",
                    new { line.SubscriptionId, signupId, accountId });
                IdCollisionException.ThrowIfOther("subscriptions", line.SubscriptionId, same, "another sale or account");
            }
            created.Add(new SubscriptionCreated(
                line.SubscriptionId, accountId, userId, signupId, line.Type, line.Number, line.ProductCode, status, at, Version: 1));
        }
        await db.PublishTogetherAsync(created, all => new SubscriptionsCreated(signupId, all));
    }
}
