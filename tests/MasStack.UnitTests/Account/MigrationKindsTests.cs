using MasStack.Account.Features.Migrations;
using MasStack.Contracts;

namespace MasStack.UnitTests.Account;

public class MigrationKindsTests
{
    [Theory]
    [InlineData(PaymentType.Postpaid, PaymentType.Postpaid, true, "to-new-account")]
    [InlineData(PaymentType.Prepaid, PaymentType.Prepaid, false, "to-existing-account")]
    [InlineData(PaymentType.Prepaid, PaymentType.Postpaid, true, "prepaid-to-new-postpaid")]
    [InlineData(PaymentType.Prepaid, PaymentType.Postpaid, false, "prepaid-to-existing-postpaid")]
    [InlineData(PaymentType.Postpaid, PaymentType.Prepaid, true, "postpaid-to-new-prepaid")]
    [InlineData(PaymentType.Postpaid, PaymentType.Prepaid, false, "postpaid-to-existing-prepaid")]
    public void The_kind_follows_from_the_source_and_the_target(PaymentType source, PaymentType target, bool newAccount, string kind) =>
        Assert.Equal(kind, MigrationKinds.Of(source, target, newAccount));

    [Fact]
    public void A_new_account_needs_Billing_and_every_migration_needs_Subscription()
    {
        Assert.Equal([MigrationSteps.Subscription, MigrationSteps.Billing], MigrationKinds.Steps(newAccount: true));
        Assert.Equal([MigrationSteps.Subscription], MigrationKinds.Steps(newAccount: false));
        Assert.True(MigrationKinds.Served(MigrationKinds.ToNewAccount));
        Assert.False(MigrationKinds.Served(MigrationKinds.PrepaidToExistingPostpaid));
    }

    [Fact]
    public void A_migration_fails_on_the_first_failed_step_and_completes_only_when_every_step_did()
    {
        Assert.Equal("pending", MigrationKinds.Outcome(new Dictionary<string, string> { ["subscription"] = "completed", ["billing"] = "pending" }));
        Assert.Equal("failed", MigrationKinds.Outcome(new Dictionary<string, string> { ["subscription"] = "pending", ["billing"] = "failed" }));
        Assert.Equal("completed", MigrationKinds.Outcome(new Dictionary<string, string> { ["subscription"] = "completed", ["billing"] = "completed" }));
    }
}
