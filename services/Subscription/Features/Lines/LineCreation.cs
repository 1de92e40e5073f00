using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Messaging;
using MasStack.Subscription.Features.Accounts;

namespace MasStack.Subscription.Features.Lines;

/// <summary>Creates the lines of a sale — pending activation, or pending portability for a ported number — and confirms each.</summary>
public sealed class SignupSubmittedConsumer(UnitOfWork db) : InboxConsumer<SignupSubmitted>(db)
{
    protected override async Task Handle(SignupSubmitted signup, UnitOfWork db, CancellationToken ct)
    {
        var numbers = signup.Lines.Where(l => l.Number is not null).Select(l => l.Number).ToArray();
        var taken = await db.QueryAsync<string>(
            "SELECT number FROM subscriptions WHERE number = ANY(@numbers) AND signup_id IS DISTINCT FROM @SignupId AND status NOT IN ('cancelled', 'moved')",
            new { numbers, signup.SignupId });
        if (taken.Count > 0)
        {
            var line = signup.Lines.First(l => l.Number == taken[0]);
            await db.PublishAsync(new SignupStepFailed(
                signup.SignupId, SignupSteps.Subscription(line.SubscriptionId), $"The number {taken[0]} already belongs to another line."));
            return;
        }

        await AccountBundles.KeepAsync(db, signup.AccountId, signup.UserId, signup.PaymentType, signup.BundleCode);
        foreach (var line in signup.Lines)
        {
            var status = line.NumberMode == NumberMode.Portability ? SubscriptionStatus.PendingPortability : SubscriptionStatus.PendingActivation;
            await db.ExecuteAsync(
                """
                INSERT INTO subscriptions (id, account_id, user_id, signup_id, type, number_mode, number, iccid, product_code, status, created_at)
                VALUES (@SubscriptionId, @AccountId, @UserId, @SignupId, @Type, @NumberMode, @Number, @Iccid, @ProductCode, @Status, @SubmittedAt)
                ON CONFLICT (id) DO NOTHING
                """,
                new
                {
                    line.SubscriptionId, signup.AccountId, signup.UserId, signup.SignupId, line.Number, line.Iccid, line.ProductCode,
                    signup.SubmittedAt, Type = EnumText.Of(line.Type), Status = EnumText.Of(status),
                    NumberMode = line.NumberMode is { } mode ? EnumText.Of(mode) : null,
                });
            await db.PublishAsync(new SubscriptionCreated(
                line.SubscriptionId, signup.AccountId, signup.UserId, signup.SignupId, line.Type, line.Number, line.ProductCode, status, signup.SubmittedAt));
        }
    }
}
