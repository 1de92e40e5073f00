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

    [Theory]
    [InlineData("to-existing-account", false, new[] { "subscription" })]
    [InlineData("to-new-account", true, new[] { "subscription", "billing" })]
    [InlineData("prepaid-to-existing-postpaid", false, new[] { "subscription", "consumption" })]
    [InlineData("prepaid-to-new-postpaid", true, new[] { "subscription", "billing", "consumption" })]
    [InlineData("postpaid-to-existing-prepaid", false, new[] { "subscription", "consumption" })]
    [InlineData("postpaid-to-new-prepaid", true, new[] { "subscription", "billing", "consumption" })]
    public void Every_migration_needs_Subscription_a_new_account_Billing_and_a_change_of_payment_type_Consumption(string kind, bool newAccount, string[] steps)
    {
        Assert.Equal(steps, MigrationKinds.Steps(kind, newAccount));
        Assert.True(MigrationKinds.Served(kind));
        Assert.Equal(steps.Contains(MigrationSteps.Consumption), MigrationKinds.ChangesPaymentType(kind));
    }

    [Fact]
    public void A_bundle_migration_is_not_a_line_s_kind()
    {
        Assert.False(MigrationKinds.Served(MigrationKinds.Bundle));
        Assert.False(MigrationKinds.ChangesPaymentType(MigrationKinds.Bundle));
    }

    private static readonly CatalogueBundle Postpaid = new("MOBILE-POSTPAID", "Solo Móvil Contrato", PaymentType.Postpaid,
        [new BundleSlot(SubscriptionType.Mobile, 1, 5, ["MOBILE-10GB", "MOBILE-50GB"])], 0, new Money(0m), "2026-01");

    [Theory]
    [InlineData("MOBILE-50GB", null, "MOBILE-50GB")]   // offered there: kept
    [InlineData("PREPAID-5GB", null, "MOBILE-10GB")]   // a prepaid tariff: the bundle's first for the type
    [InlineData("PREPAID-5GB", "MOBILE-50GB", "MOBILE-50GB")] // the one asked for
    public void The_line_takes_the_product_asked_for_else_its_own_if_offered_else_the_bundle_s_first(string current, string? requested, string expected) =>
        Assert.Equal(expected, MigrationKinds.TargetProduct(Postpaid, SubscriptionType.Mobile, current, requested));

    [Fact]
    public void A_bundle_without_a_slot_for_the_line_maps_it_to_nothing() =>
        Assert.Null(MigrationKinds.TargetProduct(Postpaid, SubscriptionType.Internet, "FIBER-1G", null));

    [Fact]
    public void A_migration_fails_on_the_first_failed_step_and_completes_only_when_every_step_did()
    {
        Assert.Equal("pending", MigrationKinds.Outcome(new Dictionary<string, string> { ["subscription"] = "completed", ["billing"] = "pending" }));
        Assert.Equal("failed", MigrationKinds.Outcome(new Dictionary<string, string> { ["subscription"] = "pending", ["billing"] = "failed" }));
        Assert.Equal("completed", MigrationKinds.Outcome(new Dictionary<string, string> { ["subscription"] = "completed", ["billing"] = "completed" }));
    }

    [Theory]
    [InlineData("to-existing-account", new[] { "subscription" }, new[] { "subscription", "billing" })]
    [InlineData("prepaid-to-new-postpaid", new[] { "subscription", "billing", "consumption" }, new[] { "subscription", "billing", "consumption" })]
    [InlineData("bundle", new[] { "subscription" }, new[] { "subscription" })]
    public void A_failed_line_migration_waits_for_every_step_s_undo_and_Billing_s_a_bundle_migration_for_its_steps_only(
        string kind, string[] steps, string[] undo) =>
        Assert.Equal(undo, MigrationKinds.UndoSteps(kind, steps));

    [Theory]
    [InlineData("billing", "billing", null, true)]
    [InlineData("billing", "subscription", null, false)]
    [InlineData("billing:silent", "billing", null, false)]
    [InlineData("billing:silent", "billing", "silent", true)]
    [InlineData("subscription, billing:undo-silent", "billing", "undo-silent", true)]
    [InlineData("subscription, billing:undo-silent", "subscription", null, true)]
    [InlineData(null, "subscription", null, false)]
    public void Faults_are_a_comma_separated_list_of_steps_each_with_its_mode(string? faults, string step, string? mode, bool faulted) =>
        Assert.Equal(faulted, MigrationSteps.Faulted(faults, step, mode));

    [Theory]
    [InlineData("active", null, null)]
    [InlineData("barred", new[] { "request" }, null)]
    [InlineData("barred", new[] { "consumption-limit", "lost" }, null)]
    [InlineData("barred", new[] { "request", "fraud" }, "barred for fraud")]
    [InlineData("barred", new[] { "debt" }, "barred for debt")]
    [InlineData("barred", new[] { "non-payment" }, "barred for non-payment")]
    [InlineData("active", new[] { "debt" }, "barred for debt")] // the barring arrived before the status it causes
    [InlineData("barred", null, "why is not known here yet")]
    [InlineData("pending-activation", null, "pending-activation")]
    [InlineData("cancelled", new string[0], "cancelled")]
    public void A_line_migrates_when_active_or_barred_for_a_reason_other_than_debt_or_fraud(string status, string[]? reasons, string? refusal)
    {
        var why = MigrationKinds.WhyNotMovable(status, reasons);
        if (refusal is null) Assert.Null(why);
        else Assert.Contains(refusal, why);
    }
}
