using MasStack.Contracts;
using MasStack.Subscription.Features.Lines;
using MasStack.Subscription.Features.SimSwap;
using static MasStack.Contracts.SubscriptionStatus;

namespace MasStack.UnitTests.Subscription;

public class LineLifecycleTests
{
    [Theory]
    [InlineData(PendingActivation, Active)]
    [InlineData(PendingActivation, Cancelled)]
    [InlineData(PendingPortability, Active)]
    [InlineData(PendingPortability, Cancelled)]
    [InlineData(Active, Barred)]
    [InlineData(Barred, Active)]
    [InlineData(Active, Moved)]
    [InlineData(Barred, Moved)]
    [InlineData(Active, Terminated)]
    [InlineData(Barred, Terminated)]
    [InlineData(Active, PortedOut)]
    [InlineData(Barred, PortedOut)]
    [InlineData(PendingPortability, PendingActivation)]
    public void A_line_makes_the_moves_of_its_life(SubscriptionStatus from, SubscriptionStatus to)
    {
        Assert.True(LineLifecycle.CanMove(from, to));
        Assert.Null(LineLifecycle.Refusal(from, to));
    }

    [Theory]
    [InlineData(Active, Cancelled, "A line that is active cannot become cancelled.")]
    [InlineData(Barred, Cancelled, "A line that is barred cannot become cancelled.")]
    [InlineData(PendingActivation, Barred, "A line that is pending-activation cannot become barred.")]
    [InlineData(Cancelled, Active, "A line that is cancelled cannot become active.")]
    [InlineData(Cancelled, Cancelled, "A line that is cancelled cannot become cancelled.")]
    [InlineData(Moved, Active, "A line that is moved cannot become active.")]
    public void A_forbidden_move_is_refused_naming_both_states(SubscriptionStatus from, SubscriptionStatus to, string refusal) =>
        Assert.Equal(refusal, LineLifecycle.Refusal(from, to));

    [Theory]
    [InlineData(Cancelled)]
    [InlineData(Moved)]
    [InlineData(Terminated)]
    [InlineData(PortedOut)]
    public void Nothing_leaves_an_ended_line(SubscriptionStatus ended)
    {
        Assert.All(Enum.GetValues<SubscriptionStatus>(), to => Assert.False(LineLifecycle.CanMove(ended, to)));
        Assert.False(LineLifecycle.IsLive(ended));
        Assert.NotNull(LineLifecycle.RefusalForChange(ended));
    }
}

public class SimSwapRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
    private const string OldIccid = "8934071234567890128";
    private const string NewIccid = "8934079876543210987";

    private static Line MobileLine(SubscriptionStatus status = Active, DateTimeOffset? holdUntil = null, string? iccid = OldIccid) =>
        new(1, 2, 3, SubscriptionType.Mobile, NumberMode.New, "+34612345678", iccid, "MOBILE-50GB", status, holdUntil);

    [Theory]
    [InlineData(Active)]
    [InlineData(Barred)]
    public void An_active_or_barred_line_may_swap_its_SIM(SubscriptionStatus status) =>
        Assert.Null(SimSwapRules.LineRefusal(MobileLine(status), NewIccid, Now));

    [Theory]
    [InlineData(PendingActivation)]
    [InlineData(PendingPortability)]
    [InlineData(Cancelled)]
    [InlineData(Moved)]
    public void A_line_without_a_SIM_in_service_cannot_swap_it(SubscriptionStatus status) =>
        Assert.Contains("has no SIM in service", SimSwapRules.LineRefusal(MobileLine(status), NewIccid, Now));

    [Fact]
    public void Within_72_hours_of_a_swap_SIM_changes_are_held()
    {
        var refusal = SimSwapRules.LineRefusal(MobileLine(holdUntil: Now.AddHours(1)), NewIccid, Now);
        Assert.Contains("sim-swap-hold", refusal);
        Assert.Equal(Now.AddHours(1), SimSwapRules.HoldUntil(MobileLine(holdUntil: Now.AddHours(1)), Now));
    }

    [Fact]
    public void Once_the_hold_is_over_the_SIM_may_change_again()
    {
        Assert.Null(SimSwapRules.LineRefusal(MobileLine(holdUntil: Now), NewIccid, Now));
        Assert.Null(SimSwapRules.HoldUntil(MobileLine(holdUntil: Now.AddSeconds(-1)), Now));
    }

    [Fact]
    public void A_swap_holds_for_72_hours() => Assert.Equal(TimeSpan.FromHours(72), SimSwapRules.Hold);

    [Fact]
    public void The_same_SIM_is_not_a_swap() => Assert.Contains("already has", SimSwapRules.LineRefusal(MobileLine(), OldIccid, Now));

    [Fact]
    public void A_fixed_line_has_no_SIM() =>
        Assert.Contains("has no SIM", SimSwapRules.LineRefusal(MobileLine() with { Type = SubscriptionType.Fixed }, NewIccid, Now));

    [Fact]
    public void A_partner_learns_whether_the_SIM_changed_within_a_maximum_age()
    {
        Assert.True(SimSwapRules.SwappedWithin(Now.AddHours(-2), TimeSpan.FromHours(24), Now));
        Assert.False(SimSwapRules.SwappedWithin(Now.AddHours(-25), TimeSpan.FromHours(24), Now));
        Assert.False(SimSwapRules.SwappedWithin(null, TimeSpan.FromHours(24), Now));
    }
}
