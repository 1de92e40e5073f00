using System.Text.Json.Nodes;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.ServiceDefaults;

namespace MasStack.EndToEndTests.Subscriptions;

[Collection(SuiteCollection.Name)]
public class SimSwapTests(SuiteFixture suite)
{
    private readonly HttpClient _gateway = suite.Gateway;

    private async Task<(long Line, string Iccid)> ActiveMobileLineAsync()
    {
        var iccid = LineSetup.NewIccid();
        var sale = await _gateway.SellMobileWithSimAsync(iccid);
        await suite.ActivateAsync(sale.Lines[1].SubscriptionId);
        return (sale.Lines[1].SubscriptionId, iccid);
    }

    private static object Swap(string newIccid) => new { newIccid, reason = "lost", identityCheck = "document-in-store" };

    private Task<long> SwapsOfAsync(long line) =>
        suite.CountAsync(ResourceNames.Subscription, "SELECT count(*) FROM sim_swaps WHERE subscription_id = @line", new { line });

    [Fact]
    public async Task A_lost_SIM_is_replaced_by_an_available_one_of_the_same_network_audited_held_and_sent_to_the_network()
    {
        // Given an active mobile line
        var (line, oldIccid) = await ActiveMobileLineAsync();
        var newIccid = LineSetup.NewIccid();

        // When its SIM is replaced after the customer's document was seen in the store
        var swap = await (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{line}/sim-replacements", Swap(newIccid))).ReadJsonAsync(HttpStatusCode.Created);

        // Then the line has the new SIM, a 72-hour hold, and partners see the swap
        Assert.Equal(oldIccid, (string)swap["oldIccid"]!);
        Assert.Equal("masmovil", (string)swap["network"]!);
        var view = await _gateway.GetJsonAsync($"/api/v1/subscriptions/{line}");
        Assert.Equal(newIccid, (string)view["iccid"]!);
        Assert.True(DateTimeOffset.Parse((string)view["simChangeHoldUntil"]!) > DateTimeOffset.UtcNow.AddHours(71));
        var check = await _gateway.GetJsonAsync($"/api/v1/subscriptions/{line}/sim-swap?maxAgeHours=1");
        Assert.True((bool)check["swapped"]!);
        Assert.NotNull(check["latestSimChange"]);
        Assert.Equal("document-in-store", (string)check["history"]![0]!["identityCheck"]!);
        Assert.Equal("lost", (string)check["history"]![0]!["reason"]!);

        // And Signup's stock follows (SimReplaced): the new SIM is the line's, the old one replaced for good
        var stocked = await Eventually.Until(() => _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/sim-cards/{newIccid}")!,
            s => (string)s!["state"]! != "available", "Signup's stock to give the new SIM to the line");
        Assert.Equal("active", (string)stocked!["state"]!);
        Assert.Equal("replaced", (string)(await _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/sim-cards/{oldIccid}"))!["state"]!);

        // And the network applies a replace-sim work order
        var order = await Eventually.Until(() => _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/work-orders/{(long)swap["workOrderId"]!}")!,
            o => (string)o!["status"]! != "pending", "the replace-sim work order to finish");
        Assert.Equal("completed", (string)order!["status"]!);
        Assert.Equal("replace-sim", (string)order["type"]!);
    }

    [Fact]
    public async Task After_a_swap_further_SIM_changes_are_held_for_72_hours()
    {
        var (line, _) = await ActiveMobileLineAsync();
        (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{line}/sim-replacements", Swap(LineSetup.NewIccid()))).EnsureSuccessStatusCode();

        var problem = await (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{line}/sim-replacements", Swap(LineSetup.NewIccid())))
            .AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("sim-swap-hold", (string)problem["detail"]!);
        Assert.Equal(1, await SwapsOfAsync(line));
    }

    [Fact]
    public async Task A_swap_needs_a_valid_ICCID_a_reason_and_the_identity_check_made()
    {
        var (line, _) = await ActiveMobileLineAsync();
        await (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{line}/sim-replacements", new { newIccid = "8934071234" }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "newIccid", "reason", "identityCheck");
    }

    [Fact]
    public async Task A_SIM_of_another_network_one_already_sold_or_a_line_not_active_is_refused()
    {
        var (line, _) = await ActiveMobileLineAsync();
        var otherSale = await _gateway.SellMobileWithSimAsync(LineSetup.NewIccid());
        var soldIccid = (string)(await _gateway.GetJsonAsync($"/api/v1/subscriptions/{otherSale.Lines[1].SubscriptionId}"))["iccid"]!;

        await (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{line}/sim-replacements", Swap(LineSetup.NewIccid(otherNetwork: true))))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "newIccid");
        await (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{line}/sim-replacements", Swap(soldIccid)))
            .AssertProblemAsync(HttpStatusCode.Conflict);
        var pending = await (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{otherSale.Lines[1].SubscriptionId}/sim-replacements", Swap(LineSetup.NewIccid())))
            .AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("pending-activation", (string)pending["detail"]!);
        await (await _gateway.PostAsJsonAsync("/api/v1/subscriptions/4503599627370000/sim-replacements", Swap(LineSetup.NewIccid())))
            .AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _gateway.GetAsync("/api/v1/subscriptions/4503599627370000/sim-swap")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(0, await SwapsOfAsync(line));
    }

    [Fact]
    public async Task A_line_never_swapped_shows_no_SIM_change()
    {
        var (line, _) = await ActiveMobileLineAsync();
        var check = await _gateway.GetJsonAsync($"/api/v1/subscriptions/{line}/sim-swap?maxAgeHours=24");
        Assert.Null(check["latestSimChange"]);
        Assert.False((bool)check["swapped"]!);
    }

    [Fact]
    public async Task While_Signup_is_down_a_swap_answers_503_and_changes_nothing()
    {
        // Given an active line, and Signup (which owns the SIM stock) stopped
        var (line, oldIccid) = await ActiveMobileLineAsync();
        await suite.StopResourceAsync(ResourceNames.Signup);
        try
        {
            // When a swap is asked, Then 503 with Retry-After, and the line still has its SIM
            var response = await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{line}/sim-replacements", Swap(LineSetup.NewIccid()));
            await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.True(response.Headers.RetryAfter is not null);
            Assert.Equal(oldIccid, (string)(await _gateway.GetJsonAsync($"/api/v1/subscriptions/{line}"))["iccid"]!);
            Assert.Equal(0, await SwapsOfAsync(line));
            Assert.Equal(0, await suite.CountAsync(ResourceNames.Subscription, "SELECT count(*) FROM work_orders WHERE subscription_id = @line", new { line }));
        }
        finally
        {
            await suite.StartResourceAsync(ResourceNames.Signup);
        }
    }

    [Fact]
    public async Task A_repeated_swap_with_the_same_Idempotency_Key_swaps_once()
    {
        var (line, _) = await ActiveMobileLineAsync();
        var key = $"swap-{Guid.NewGuid():N}";
        var body = Swap(LineSetup.NewIccid());

        var first = await (await _gateway.SendJsonAsync(HttpMethod.Post, $"/api/v1/subscriptions/{line}/sim-replacements", body, key)).ReadJsonAsync(HttpStatusCode.Created);
        var repeat = await (await _gateway.SendJsonAsync(HttpMethod.Post, $"/api/v1/subscriptions/{line}/sim-replacements", body, key)).ReadJsonAsync(HttpStatusCode.Created);

        Assert.Equal((long)first["simReplacementId"]!, (long)repeat["simReplacementId"]!);
        Assert.Equal(1, await SwapsOfAsync(line));
    }

    [Fact]
    public async Task Lines_swapping_to_the_same_spare_SIM_at_once_one_wins_the_others_get_409_and_stock_and_lines_agree()
    {
        // Given three active lines and one spare SIM
        var lines = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => ActiveMobileLineAsync()));
        var spare = LineSetup.NewIccid();

        // When all three ask for it at the same moment
        var answers = await Task.WhenAll(lines.Select(l => _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{l.Line}/sim-replacements", Swap(spare))));

        // Then exactly one swap is made, and the others are refused as a conflict
        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Created);
        Assert.Equal(2, answers.Count(a => a.StatusCode == HttpStatusCode.Conflict));
        var winner = lines[Array.FindIndex(answers, a => a.StatusCode == HttpStatusCode.Created)];

        // And Signup's stock and the lines agree: the spare SIM is the winner's, every other line keeps its SIM in service
        var stocked = await _gateway.GetJsonAsync($"/api/v1/sim-cards/{spare}");
        Assert.Equal(winner.Line, (long)stocked["subscriptionId"]!);
        Assert.Equal("active", (string)stocked["state"]!);
        Assert.Equal("replaced", (string)(await _gateway.GetJsonAsync($"/api/v1/sim-cards/{winner.Iccid}"))["state"]!);
        foreach (var (line, iccid) in lines)
        {
            var expected = line == winner.Line ? spare : iccid;
            Assert.Equal(expected, (string)(await _gateway.GetJsonAsync($"/api/v1/subscriptions/{line}"))["iccid"]!);
            if (line == winner.Line) continue;
            var own = await _gateway.GetJsonAsync($"/api/v1/sim-cards/{iccid}");
            Assert.Equal(("active", line), ((string)own["state"]!, (long)own["subscriptionId"]!));
            Assert.Equal(0, await SwapsOfAsync(line));
        }
        Assert.Equal(1, await suite.CountAsync(ResourceNames.Subscription,
            "SELECT count(*) FROM subscriptions WHERE iccid = @spare AND status NOT IN ('cancelled', 'moved')", new { spare }));
    }

    [Fact]
    public async Task A_swap_racing_a_sale_for_the_same_SIM_one_wins_the_other_gets_409_and_stock_and_line_agree()
    {
        // Given an active line, a spare SIM, and a sale at a till that scanned that same SIM
        var (line, oldIccid) = await ActiveMobileLineAsync();
        var spare = LineSetup.NewIccid();
        var sale = await _gateway.NewSaleAsync(lines: [new SaleLine("internet", "FIBER-1G"), new SaleLine("mobile", "MOBILE-50GB", Iccid: spare)]);

        // When the swap and the sale are posted at the same moment
        var swapping = _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{line}/sim-replacements", Swap(spare));
        var selling = _gateway.PostAsJsonAsync("/api/v1/signups", sale);
        var (swap, sold) = (await swapping, await selling);

        // Then exactly one of them gets the SIM, and the other is refused as a conflict
        var swapWon = swap.StatusCode == HttpStatusCode.Created;
        Assert.True(swapWon != (sold.StatusCode == HttpStatusCode.Accepted),
            $"swap {(int)swap.StatusCode}, sale {(int)sold.StatusCode}: exactly one should win");
        Assert.Equal(HttpStatusCode.Conflict, swapWon ? sold.StatusCode : swap.StatusCode);

        // And Signup's stock and the lines agree on who holds it
        var stocked = await _gateway.GetJsonAsync($"/api/v1/sim-cards/{spare}");
        var view = await _gateway.GetJsonAsync($"/api/v1/subscriptions/{line}");
        if (swapWon)
        {
            Assert.Equal((spare, line, "active"), ((string)view["iccid"]!, (long)stocked["subscriptionId"]!, (string)stocked["state"]!));
        }
        else
        {
            var saleLine = (await sold.ReadJsonAsync(HttpStatusCode.Accepted))["subscriptions"]!.AsArray()
                .Single(s => (string)s!["type"]! == "mobile")!;
            Assert.Equal((oldIccid, (long)saleLine["subscriptionId"]!, "assigned"),
                ((string)view["iccid"]!, (long)stocked["subscriptionId"]!, (string)stocked["state"]!));
            var own = await _gateway.GetJsonAsync($"/api/v1/sim-cards/{oldIccid}");
            Assert.Equal(("active", line), ((string)own["state"]!, (long)own["subscriptionId"]!));
            Assert.Equal(0, await SwapsOfAsync(line));
        }
    }
}
