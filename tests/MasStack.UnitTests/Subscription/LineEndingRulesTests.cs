using MasStack.Contracts;
using MasStack.Subscription.Features.Lines;
using MasStack.Subscription.Features.PortOut;
using MasStack.Subscription.Features.Termination;
using static MasStack.Contracts.SubscriptionStatus;

namespace MasStack.UnitTests.Subscription;

public class InstallationRulesTests
{
    [Theory]
    [InlineData(SubscriptionType.Fixed, true)]
    [InlineData(SubscriptionType.Internet, true)]
    [InlineData(SubscriptionType.Tv, true)]
    [InlineData(SubscriptionType.Mobile, false)]
    public void Fixed_internet_and_tv_lines_need_an_installation(SubscriptionType type, bool needs) =>
        Assert.Equal(needs, LineLifecycle.NeedsInstallation(type));

    [Theory]
    [InlineData(SubscriptionType.Internet, NumberMode.New, true, false, true)]
    [InlineData(SubscriptionType.Internet, NumberMode.New, false, false, false)]
    [InlineData(SubscriptionType.Fixed, NumberMode.Portability, true, false, false)]
    [InlineData(SubscriptionType.Fixed, NumberMode.Portability, false, true, false)]
    [InlineData(SubscriptionType.Fixed, NumberMode.Portability, true, true, true)]
    [InlineData(SubscriptionType.Mobile, NumberMode.Portability, false, true, true)]
    public void A_line_activates_once_its_installation_and_its_port_are_both_done(
        SubscriptionType type, NumberMode mode, bool installed, bool ported, bool ready) =>
        Assert.Equal(ready, LineLifecycle.ReadyToActivate(type, installed, ported, mode));
}

public class TerminationRulesTests
{
    private static readonly DateOnly Today = new(2026, 11, 28);

    [Theory]
    [InlineData(Active)]
    [InlineData(Barred)]
    public void A_live_line_can_be_terminated(SubscriptionStatus status) => Assert.Null(TerminationRules.Refusal(status));

    [Theory]
    [InlineData(PendingActivation, "cancelled")]
    [InlineData(PendingPortability, "cancelled")]
    [InlineData(Terminated, "ended")]
    [InlineData(PortedOut, "ended")]
    [InlineData(Cancelled, "ended")]
    [InlineData(Moved, "ended")]
    public void An_in_flight_or_ended_line_cannot(SubscriptionStatus status, string says) =>
        Assert.Contains(says, TerminationRules.Refusal(status));

    [Fact]
    public void No_date_means_today() => Assert.Equal((Today, null), TerminationRules.RequestedDate(null, Today));

    [Theory]
    [InlineData("2026-11-28", true)]
    [InlineData("2026-12-31", true)]
    [InlineData("2027-11-29", true)]
    [InlineData("2027-11-30", false)]
    [InlineData("2026-11-27", false)]
    [InlineData("28/11/2026", false)]
    [InlineData("2026-02-30", false)]
    public void A_date_is_today_or_up_to_a_year_ahead(string text, bool accepted)
    {
        var (date, error) = TerminationRules.RequestedDate(text, Today);
        Assert.Equal(accepted, error is null);
        Assert.Equal(accepted, date is not null);
    }

    [Fact]
    public void The_fee_is_charged_only_within_the_commitment()
    {
        Assert.Equal(new Money(150m), TerminationRules.FeeCharged(true, new Money(150m)));
        Assert.Equal(new Money(0m), TerminationRules.FeeCharged(false, new Money(150m)));
    }

    [Fact]
    public void Days_are_spanish_calendar_days() =>
        Assert.Equal(new DateOnly(2026, 11, 29), TerminationRules.LocalDate(new DateTimeOffset(2026, 11, 28, 23, 30, 0, TimeSpan.Zero)));
}

public class PortOutRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private const string Document = "12345678Z", Iccid = "8934250001000000015";

    private static Line LineIn(SubscriptionStatus status, DateTimeOffset? holdUntil = null) =>
        new(1, 2, 3, SubscriptionType.Mobile, NumberMode.New, "+34622000001", Iccid, "MOBILE-50GB", status, holdUntil);

    [Fact]
    public void A_postpaid_line_is_released_against_its_holders_document() =>
        Assert.Null(PortOutRules.Refusal(LineIn(Active), PaymentType.Postpaid, Document, new PortOutAsk("12345678z", null), false, Now));

    [Fact]
    public void A_prepaid_line_is_released_against_its_sims_iccid()
    {
        Assert.Null(PortOutRules.Refusal(LineIn(Barred), PaymentType.Prepaid, Document, new PortOutAsk(null, Iccid), false, Now));
        Assert.Equal(PortOutRules.IccidMismatch,
            PortOutRules.Refusal(LineIn(Active), PaymentType.Prepaid, Document, new PortOutAsk(Document, "8934250001000000023"), false, Now));
    }

    [Theory]
    [InlineData("87654321X")]
    [InlineData(null)]
    public void A_wrong_or_missing_document_is_refused(string? document) =>
        Assert.Equal(PortOutRules.DocumentMismatch,
            PortOutRules.Refusal(LineIn(Active), PaymentType.Postpaid, Document, new PortOutAsk(document, null), false, Now));

    [Fact]
    public void Within_the_hold_after_a_sim_swap_the_number_stays() =>
        Assert.Equal(PortOutRules.RecentSimChange,
            PortOutRules.Refusal(LineIn(Active, Now.AddHours(1)), PaymentType.Postpaid, Document, new PortOutAsk(Document, null), false, Now));

    [Fact]
    public void Once_the_hold_ended_it_may_go() =>
        Assert.Null(PortOutRules.Refusal(LineIn(Active, Now.AddSeconds(-1)), PaymentType.Postpaid, Document, new PortOutAsk(Document, null), false, Now));

    [Fact]
    public void An_unknown_number_an_in_flight_line_and_a_second_port_out_are_refused()
    {
        Assert.Equal(PortOutRules.UnknownNumber, PortOutRules.Refusal(null, PaymentType.Postpaid, null, new PortOutAsk(Document, null), false, Now));
        Assert.Equal(PortOutRules.LineNotActive,
            PortOutRules.Refusal(LineIn(PendingActivation), PaymentType.Postpaid, Document, new PortOutAsk(Document, null), false, Now));
        Assert.Equal(PortOutRules.PortOutInProgress,
            PortOutRules.Refusal(LineIn(Active), PaymentType.Postpaid, Document, new PortOutAsk(Document, null), true, Now));
    }
}
