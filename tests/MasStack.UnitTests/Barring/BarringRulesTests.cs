namespace MasStack.UnitTests.Barring;

// Inside the namespace, so that Customer names the barring source and not the MasStack.UnitTests.Customer tests.
using MasStack.Barring.Features.Barrings;
using MasStack.Contracts;
using static MasStack.Barring.Features.Barrings.BarringReason;
using static MasStack.Barring.Features.Barrings.BarringSource;
using static MasStack.Barring.Features.Barrings.BarringType;

public class BarringRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    private static BarringProfile Profile(params ActiveBarring[] barrings) =>
        new(1, 2, 3, SubscriptionType.Mobile, SubscriptionStatus.Active, 1, null, barrings);

    private static ActiveBarring Entry(BarringType type, BarringSource source, BarringReason reason) => new(type, source, reason, Now.AddDays(-1), "someone");

    [Fact]
    public void A_line_is_barred_for_the_reasons_of_its_barrings_and_of_its_SIM_block_each_once()
    {
        Assert.Empty(Profile().BarredFor);
        var profile = Profile(Entry(Baoc, Operator, Debt), Entry(Data, Operator, Debt), Entry(Roaming, Customer, Request))
            with { Block = new SimBlock(Lost, Now, "care") };
        Assert.Equal([Request, Debt, Lost], profile.BarredFor);
    }

    [Fact]
    public void The_same_type_barred_by_both_sources_is_two_entries_and_stays_barred_until_both_lift_it()
    {
        var profile = Profile(Entry(Baoc, Operator, Debt));

        var set = BarringRules.Change(profile, Customer, [new BarringOrder(Baoc, Request)], [], "app", Now);
        Assert.Equal(2, set.Barrings.Count);

        var lifted = BarringRules.Change(profile with { Barrings = set.Barrings }, Customer, [], [new LiftOrder(Baoc, null)], "app", Now);
        Assert.Equal([Baoc], (profile with { Barrings = lifted.Barrings }).BarredTypes);
        Assert.Equal("lifted", lifted.Outcomes.Single().Result);
        Assert.Contains("stays barred by the operator (debt)", lifted.Outcomes.Single().Detail);
    }

    [Fact]
    public void A_customer_cannot_lift_an_operator_barring_and_then_nothing_of_the_call_happens()
    {
        var profile = Profile(Entry(Baoc, Operator, Debt));

        var change = BarringRules.Change(profile, Customer, [new BarringOrder(Roaming, Request)], [new LiftOrder(Baoc, null)], "app", Now);

        Assert.Equal("baoc is barred by the operator (debt); a customer cannot lift it.", change.Forbidden);
        Assert.Empty(change.Changes);
    }

    [Fact]
    public void Lifting_what_is_not_set_is_a_no_op_that_says_so()
    {
        var change = BarringRules.Change(Profile(), Operator, [], [new LiftOrder(Roaming, null)], "care", Now);

        Assert.Null(change.Forbidden);
        Assert.Empty(change.Changes);
        Assert.Equal("not-set", change.Outcomes.Single().Result);
    }

    [Fact]
    public void Setting_what_is_set_changes_nothing()
    {
        var change = BarringRules.Change(Profile(Entry(Data, Customer, Request)), Customer, [new BarringOrder(Data, Request)], [], "app", Now);

        Assert.Empty(change.Changes);
        Assert.Equal("already-set", change.Outcomes.Single().Result);
    }

    [Fact]
    public void The_consumption_limit_bars_outgoing_chargeable_traffic_and_its_clearing_lifts_only_its_own_entries()
    {
        var profile = Profile(Entry(Baoc, Operator, Debt));

        var reached = BarringRules.ConsumptionLimitReached(profile, Now);
        Assert.Equal(3, reached.Barrings.Count);
        Assert.All(reached.Changes, c => Assert.Equal(ConsumptionLimit, c.Reason));

        var cleared = BarringRules.ConsumptionLimitCleared(profile with { Barrings = reached.Barrings }, Now);
        Assert.Equal([Entry(Baoc, Operator, Debt)], cleared.Barrings);

        // An operator's lift without a reason leaves the limit's entry alone
        var operatorLift = BarringRules.Change(profile with { Barrings = reached.Barrings }, Operator, [], [new LiftOrder(Baoc, null)], "care", Now);
        Assert.Equal([Baoc, Data], operatorLift.Barrings.Select(b => b.Type).Order());
        Assert.All(operatorLift.Barrings, b => Assert.Equal(ConsumptionLimit, b.Reason));
    }

    [Fact]
    public void A_blocked_SIM_bars_every_type_and_its_unblock_leaves_the_barrings_as_they_were()
    {
        var profile = Profile(Entry(Roaming, Customer, Request));

        var (block, change, conflict) = BarringRules.Block(profile, Lost, "care", Now);
        Assert.Null(conflict);
        Assert.NotNull(change);
        var blocked = profile with { Block = block };
        Assert.Equal(Enum.GetValues<BarringType>(), blocked.BarredTypes);

        var (unblock, refusal) = BarringRules.Unblock(blocked, "care", Now);
        Assert.Null(refusal);
        Assert.Equal(BarringAction.Unblock, unblock!.Action);
        Assert.Equal([Roaming], (blocked with { Block = null }).BarredTypes);
    }

    [Fact]
    public void A_SIM_blocked_as_stolen_stays_blocked_until_a_SIM_swap_made_after_the_block()
    {
        var stolen = Profile() with { Block = new SimBlock(Stolen, Now, "care") };

        Assert.NotNull(BarringRules.Unblock(stolen, "care", Now.AddHours(1)).Conflict);
        Assert.NotNull(BarringRules.Block(stolen, Lost, "care", Now.AddHours(1)).Conflict);
        Assert.Null(BarringRules.Block(stolen, Stolen, "care", Now.AddHours(1)).Change); // the same block again: nothing to do
        Assert.False(BarringRules.SwapEndsBlock(stolen, Now.AddHours(-1)));
        Assert.True(BarringRules.SwapEndsBlock(stolen, Now.AddHours(1)));
        Assert.Null(BarringRules.Unblock(stolen, BarringRules.SimSwapActor, Now.AddHours(1), bySimSwap: true).Conflict);
    }

    [Fact]
    public void Only_a_mobile_line_has_a_SIM_to_block_and_a_cancelled_line_cannot_change()
    {
        var internet = Profile() with { LineType = SubscriptionType.Internet };
        Assert.Equal("A internet line has no SIM to block.", BarringRules.Block(internet, Lost, "care", Now).Conflict);
        Assert.NotNull(BarringRules.LineRefusal(Profile() with { LineStatus = SubscriptionStatus.Cancelled }));
        Assert.Null(BarringRules.LineRefusal(Profile() with { LineStatus = SubscriptionStatus.PendingActivation }));
    }
}

public class BarringRequestTests
{
    [Fact]
    public void A_valid_patch_reads_into_orders_with_the_default_reason()
    {
        var (patch, errors) = BarringRequests.Read(new BarringPatch("customer", [new("roaming", null)], [new("premium-rate", null)]), "why");

        Assert.True(errors.IsEmpty);
        Assert.Equal(Customer, patch!.Source);
        Assert.Equal([new BarringOrder(Roaming, Request)], patch.Sets);
        Assert.Equal([new LiftOrder(PremiumRate, null)], patch.Lifts);
    }

    [Theory]
    [InlineData(null, "baoc", null, "X-Reason")]
    [InlineData("why", "bogus", null, "set[0].type")]
    [InlineData("why", "baoc", "whim", "set[0].reason")]
    [InlineData("why", "baoc", "consumption-limit", "set[0].reason")]
    [InlineData("why", null, null, "set[0].type")]
    public void Bad_input_names_the_field(string? why, string? type, string? reason, string field)
    {
        var (patch, errors) = BarringRequests.Read(new BarringPatch("operator", [new(type, reason)], null), why);

        Assert.Null(patch);
        Assert.Contains(field, errors.ToDictionary().Keys);
    }

    [Fact]
    public void A_barring_twice_in_one_call_an_empty_call_and_an_unknown_source_are_refused()
    {
        Assert.Contains("lift[0].type", BarringRequests.Read(new BarringPatch("customer", [new("baoc", null)], [new("baoc", null)]), "why").Errors.ToDictionary().Keys);
        Assert.Contains("set[1].type", BarringRequests.Read(new BarringPatch("customer", [new("baoc", null), new("baoc", "debt")], null), "why").Errors.ToDictionary().Keys);
        Assert.Contains("set", BarringRequests.Read(new BarringPatch("customer", [], []), "why").Errors.ToDictionary().Keys);
        Assert.Contains("source", BarringRequests.Read(new BarringPatch("partner", [new("baoc", null)], null), "why").Errors.ToDictionary().Keys);
    }

    [Theory]
    [InlineData("blocked", "lost", true)]
    [InlineData("blocked", "stolen", true)]
    [InlineData("unblocked", null, true)]
    [InlineData("blocked", null, false)]
    [InlineData("blocked", "consumption-limit", false)]
    [InlineData("gone", "lost", false)]
    public void A_SIM_status_needs_a_known_status_and_a_reason_to_block(string status, string? reason, bool valid)
    {
        var (request, _) = BarringRequests.Read(new SimStatusRequest(status, reason), "why");
        Assert.Equal(valid, request is not null);
    }
}
