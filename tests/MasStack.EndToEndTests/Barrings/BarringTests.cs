using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Aspire.Hosting.Testing;
using Dapper;
using MasStack.Contracts;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.EndToEndTests.Subscriptions;
using MasStack.ServiceDefaults;

namespace MasStack.EndToEndTests.Barrings;

[Collection(SuiteCollection.Name)]
public class BarringTests(SuiteFixture suite)
{
    private static readonly string[] AllTypes = ["baoc", "boic", "boic-exhc", "baic", "bic-roam", "premium-rate", "roaming", "data"];

    private readonly HttpClient _gateway = suite.Gateway;

    [Fact]
    public async Task Each_type_is_set_and_lifted_and_the_tree_the_subscription_and_the_network_show_it()
    {
        // Given an active mobile line, which the sale gave a barring profile with nothing barred
        var (sale, line, _) = await ActiveMobileLineAsync();
        var (profile, etag) = await BarringsAsync(line);
        Assert.False((bool)profile["barred"]!);
        Assert.Equal("unblocked", (string)profile["simStatus"]!["status"]!);
        Assert.Empty(profile["activeBarrings"]!.AsArray());

        // When the customer bars every type in one call
        var set = await (await PatchAsync(line, new { source = "customer", set = AllTypes.Select(type => new { type }) }, etag, "Travelling abroad"))
            .ReadJsonAsync(HttpStatusCode.OK);

        // Then each is an active barring {type, source, reason, since, by}, and the history says who, when and why
        Assert.Equal(AllTypes.Order(), set["activeBarrings"]!.AsArray().Select(b => (string)b!["type"]!).Order());
        Assert.All(set["activeBarrings"]!.AsArray(), b =>
        {
            Assert.Equal("customer", (string)b!["source"]!);
            Assert.Equal("request", (string)b["reason"]!);
            Assert.Equal(SuiteFixture.DefaultClient, (string)b["by"]!); // the authenticated client, not the X-Client-Id it sent
            Assert.NotNull(b["since"]);
        });
        Assert.All(set["outcomes"]!.AsArray(), o => Assert.Equal("set", (string)o!["result"]!));
        Assert.All(set["history"]!.AsArray(), h => Assert.Equal("Travelling abroad", (string)h!["why"]!));

        // And the tree, the subscription and the network show them
        var treeLine = await suite.TreeLineOnceAppliedAsync(sale.UserId, line, "barred AND cardinality(barrings) = 8", true, "the tree to show the barrings");
        Assert.True((bool)treeLine["barred"]!);
        Assert.Equal(AllTypes.Order(), treeLine["barrings"]!.AsArray().Select(b => (string)b!).Order());
        var subscription = await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/subscriptions/{line}"),
            s => (string)s["status"]! == "barred", "the line to be barred");
        Assert.True((bool)subscription["barred"]!);
        Assert.Equal(8, subscription["barrings"]!.AsArray().Count);
        var applied = await NetworkBarringsAsync(line, version: 2);
        Assert.Equal(AllTypes.Order(), applied.Order());

        // When the customer lifts them all
        var lifted = await (await PatchAsync(line, new { source = "customer", lift = AllTypes.Select(type => new { type }) }, EtagOf(set), "Back home"))
            .ReadJsonAsync(HttpStatusCode.OK);

        // Then nothing is barred anywhere, and the history holds all sixteen changes, newest first
        Assert.False((bool)lifted["barred"]!);
        Assert.All(lifted["outcomes"]!.AsArray(), o => Assert.Equal("lifted", (string)o!["result"]!));
        await suite.TreeLineOnceAppliedAsync(sale.UserId, line, "NOT barred AND barring_version = 3", true, "the tree to show the lift");
        await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/subscriptions/{line}"), s => (string)s["status"]! == "active", "the line to be active again");
        Assert.Empty(await NetworkBarringsAsync(line, version: 3));
        using (var network = suite.App.CreateHttpClient(ResourceNames.Network))
        {
            // The network holds the newest set (an older one arriving late would be acknowledged and ignored)
            var held = (await network.GetFromJsonAsync<JsonObject>($"/admin/barrings/{line}"))!;
            Assert.Equal(3, (long)held["version"]!);
            Assert.Empty(held["barrings"]!.AsArray());
        }
        var (after, _) = await BarringsAsync(line);
        var history = after["history"]!.AsArray();
        Assert.Equal(16, history.Count);
        Assert.All(history.Take(8), h => Assert.Equal("lift", (string)h!["action"]!));
        Assert.All(history.Skip(8), h => Assert.Equal("set", (string)h!["action"]!));
        var page = await _gateway.GetAsync($"/api/v1/subscriptions/{line}/barrings?offset=4&limit=5");
        Assert.Equal("16", page.Headers.GetValues("X-Total-Count").Single());
        Assert.Equal(5, (await page.ReadJsonAsync(HttpStatusCode.OK))["history"]!.AsArray().Count);
    }

    [Fact]
    public async Task Customer_and_operator_barrings_do_not_undo_each_other()
    {
        var (_, line, _) = await ActiveMobileLineAsync();
        var (_, etag) = await BarringsAsync(line);

        // Given outgoing calls barred by the operator for debt and by the customer
        var both = await (await PatchAsync(line, new { source = "operator", set = new[] { new { type = "baoc", reason = "debt" } } }, etag, "Unpaid invoices"))
            .ReadJsonAsync(HttpStatusCode.OK);
        both = await (await PatchAsync(line, new { source = "customer", set = new[] { new { type = "baoc" } } }, EtagOf(both), "Customer request"))
            .ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, both["activeBarrings"]!.AsArray().Count(b => (string)b!["type"]! == "baoc"));

        // When the customer lifts theirs, the operator's remains and the answer says so
        var customerLifted = await (await PatchAsync(line, new { source = "customer", lift = new[] { new { type = "baoc" } } }, EtagOf(both), "Customer request"))
            .ReadJsonAsync(HttpStatusCode.OK);
        Assert.True((bool)customerLifted["barred"]!);
        Assert.Equal("operator", (string)customerLifted["activeBarrings"]!.AsArray().Single()!["source"]!);
        Assert.Contains("stays barred by the operator", (string)customerLifted["outcomes"]![0]!["detail"]!);

        // And a customer cannot lift the operator's barring: 403 naming it, nothing changes
        var forbidden = await (await PatchAsync(line, new { source = "customer", lift = new[] { new { type = "baoc" } } }, EtagOf(customerLifted), "Customer request"))
            .AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.Contains("baoc", (string)forbidden["detail"]!);

        // And lifting what is not set is a no-op that says so
        var noop = await (await PatchAsync(line, new { source = "customer", lift = new[] { new { type = "roaming" } } }, EtagOf(customerLifted), "Customer request"))
            .ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("not-set", (string)noop["outcomes"]![0]!["result"]!);

        // When the operator lifts its own, the line is free
        var free = await (await PatchAsync(line, new { source = "operator", lift = new[] { new { type = "baoc" } } }, EtagOf(noop), "Debt paid"))
            .ReadJsonAsync(HttpStatusCode.OK);
        Assert.False((bool)free["barred"]!);
    }

    [Fact]
    public async Task Bad_input_is_400_naming_the_field_and_changes_nothing()
    {
        var (_, line, _) = await ActiveMobileLineAsync();
        var (_, etag) = await BarringsAsync(line);

        await (await PatchAsync(line, new { source = "customer", set = new[] { new { type = "bogus" } } }, etag)).AssertProblemAsync(HttpStatusCode.BadRequest, "set[0].type");
        await (await PatchAsync(line, new { source = "customer", set = new[] { new { type = "baoc", reason = "whim" } } }, etag))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "set[0].reason");
        await (await PatchAsync(line, new { source = "customer", set = Array.Empty<object>() }, etag)).AssertProblemAsync(HttpStatusCode.BadRequest, "set");
        await (await PatchAsync(line, new { source = "customer", set = new[] { new { type = "baoc" } }, lift = new[] { new { type = "baoc" } } }, etag))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "lift[0].type");
        await (await PatchAsync(line, new { source = "customer", set = new[] { new { type = "baoc" } } }, etag, reason: null))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "X-Reason");
        await (await PatchAsync(line, new { source = "nobody", set = new[] { new { type = "baoc" } } }, etag)).AssertProblemAsync(HttpStatusCode.BadRequest, "source");
        await (await SimStatusAsync(line, "blocked", "whim")).AssertProblemAsync(HttpStatusCode.BadRequest, "reason");
        await (await SimStatusAsync(line, "frozen", "lost")).AssertProblemAsync(HttpStatusCode.BadRequest, "status");

        // Nothing changed: the same ETag, no barring, no history
        var (after, etagAfter) = await BarringsAsync(line);
        Assert.Equal(etag, etagAfter);
        Assert.Empty(after["activeBarrings"]!.AsArray());
        Assert.Empty(after["history"]!.AsArray());
        await (await _gateway.GetAsync("/api/v1/subscriptions/999999999999/barrings")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Of_two_concurrent_patches_on_one_line_one_wins_and_the_other_is_412()
    {
        var (_, line, _) = await ActiveMobileLineAsync();
        var (_, etag) = await BarringsAsync(line);
        await (await PatchAsync(line, new { source = "customer", set = new[] { new { type = "roaming" } } }, etag: null)).AssertProblemAsync(HttpStatusCode.PreconditionRequired);

        // When two clients that read the same ETag change the line at once
        var answers = await Task.WhenAll(
            PatchAsync(line, new { source = "customer", set = new[] { new { type = "roaming" } } }, etag),
            PatchAsync(line, new { source = "operator", set = new[] { new { type = "premium-rate", reason = "fraud" } } }, etag));

        // Then exactly one wins, the other is told to read again
        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
        await answers.Single(a => a.StatusCode != HttpStatusCode.OK).AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        var (after, _) = await BarringsAsync(line);
        Assert.Single(after["activeBarrings"]!.AsArray());
        Assert.Single(after["history"]!.AsArray());
    }

    [Fact]
    public async Task A_blocked_SIM_bars_everything_and_unblocking_restores_exactly_the_barrings_before()
    {
        // Given a line whose customer barred roaming and premium-rate numbers
        var (sale, line, iccid) = await ActiveMobileLineAsync();
        var (_, etag) = await BarringsAsync(line);
        var before = await (await PatchAsync(line, new { source = "customer", set = new[] { new { type = "roaming" }, new { type = "premium-rate" } } }, etag, "Customer request"))
            .ReadJsonAsync(HttpStatusCode.OK);

        // When the SIM is reported lost
        var blocked = await (await SimStatusAsync(line, "blocked", "lost")).ReadJsonAsync(HttpStatusCode.OK);

        // Then all traffic is barred, the card is blocked in stock, and the subscription, the SIM-swap check and the tree show it
        Assert.Equal("blocked", (string)blocked["simStatus"]!["status"]!);
        Assert.Equal("lost", (string)blocked["simStatus"]!["reason"]!);
        Assert.Equal(AllTypes.Order(), blocked["barredTypes"]!.AsArray().Select(t => (string)t!).Order());
        await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/sim-cards/{iccid}"), s => (string)s["state"]! == "blocked", "the SIM to be blocked in stock");
        var subscription = await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/subscriptions/{line}"),
            s => (string)s["simStatus"]! == "blocked", "the subscription to show the block");
        Assert.Equal("barred", (string)subscription["status"]!);
        Assert.Equal("lost", (string)(await _gateway.GetJsonAsync($"/api/v1/subscriptions/{line}/sim-swap"))["simBlockReason"]!);
        var treeLine = await suite.TreeLineOnceAppliedAsync(sale.UserId, line, "sim_status = @expected", "blocked", "the tree to show the block");
        Assert.Equal(8, treeLine["barrings"]!.AsArray().Count);
        Assert.Equal(AllTypes.Order(), (await NetworkBarringsAsync(line, version: 3)).Order());

        // And barrings cannot change while the SIM is blocked
        await (await PatchAsync(line, new { source = "customer", lift = new[] { new { type = "roaming" } } }, EtagOf(blocked), "Customer request"))
            .AssertProblemAsync(HttpStatusCode.Conflict);

        // When the SIM is found and unblocked
        var unblocked = await (await SimStatusAsync(line, "unblocked", null)).ReadJsonAsync(HttpStatusCode.OK);

        // Then exactly the barrings before the block are in force again, everywhere
        Assert.Equal(["premium-rate", "roaming"], unblocked["barredTypes"]!.AsArray().Select(t => (string)t!).ToArray());
        Assert.Equal(before["activeBarrings"]!.ToJsonString(), unblocked["activeBarrings"]!.ToJsonString());
        await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/sim-cards/{iccid}"), s => (string)s["state"]! == "active", "the SIM to be active again in stock");
        await suite.TreeLineOnceAppliedAsync(sale.UserId, line, "sim_status = 'unblocked' AND barrings = '{premium-rate,roaming}'", true, "the tree to show the unblock");
        Assert.Equal(["premium-rate", "roaming"], (await NetworkBarringsAsync(line, version: 4)).Order().ToArray());
        Assert.Equal(["unblock", "block", "set", "set"], (await BarringsAsync(line)).Body["history"]!.AsArray().Select(h => (string)h!["action"]!).ToArray());
    }

    [Fact]
    public async Task A_SIM_blocked_as_stolen_cannot_be_unblocked_a_SIM_swap_is_the_way_back()
    {
        var (_, line, oldIccid) = await ActiveMobileLineAsync();
        await (await SimStatusAsync(line, "blocked", "stolen")).ReadJsonAsync(HttpStatusCode.OK);

        // When someone tries to unblock it, or to call it merely lost
        await (await SimStatusAsync(line, "unblocked", null)).AssertProblemAsync(HttpStatusCode.Conflict);
        await (await SimStatusAsync(line, "blocked", "lost")).AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("stolen", (string)(await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/subscriptions/{line}/sim-swap"),
            s => (string?)s["simBlockReason"] == "stolen", "the SIM-swap check to report the stolen SIM"))["simBlockReason"]!);

        // When the SIM is swapped for a new one
        await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/sim-cards/{oldIccid}"), s => (string)s["state"]! == "blocked", "the SIM to be blocked in stock");
        var newIccid = LineSetup.NewIccid();
        await (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{line}/sim-replacements",
            new { newIccid, reason = "stolen", identityCheck = "document-in-store" })).ReadJsonAsync(HttpStatusCode.Created);

        // Then the line's new SIM is unblocked, the stolen card replaced for good
        var after = await Eventually.Until(() => BarringsAsync(line), p => (string)p.Body["simStatus"]!["status"]! == "unblocked", "the swap to end the block");
        Assert.False((bool)after.Body["barred"]!);
        Assert.Equal("sim-swap", (string)after.Body["history"]![0]!["by"]!);
        await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/subscriptions/{line}"), s => (string)s["status"]! == "active", "the line to be active again");
        Assert.Equal("replaced", (string)(await _gateway.GetJsonAsync($"/api/v1/sim-cards/{oldIccid}"))["state"]!);
    }

    [Fact]
    public async Task A_reached_consumption_limit_bars_outgoing_chargeable_traffic_until_it_is_cleared()
    {
        // Given a line whose outgoing calls the operator barred for debt
        var (sale, line, _) = await ActiveMobileLineAsync();
        var (_, etag) = await BarringsAsync(line);
        await (await PatchAsync(line, new { source = "operator", set = new[] { new { type = "baoc", reason = "debt" } } }, etag, "Unpaid")).ReadJsonAsync(HttpStatusCode.OK);

        // When Consumption says the limit is reached (twice: a redelivery), and an older clear arrives late
        var reached = new ConsumptionLimitReached(line, sale.AccountId, sale.UserId, "2026-11", new Money(50), new Money(50.20m), DateTimeOffset.UtcNow, Version: 2);
        await suite.PublishAsync(reached, times: 2);
        await suite.PublishAsync(new ConsumptionLimitCleared(line, sale.AccountId, sale.UserId, "raised", DateTimeOffset.UtcNow.AddMinutes(-1), Version: 1));

        // Then outgoing calls and data are barred by the operator for the limit, beside the debt barring
        var barred = await Eventually.Until(() => BarringsAsync(line),
            p => p.Body["activeBarrings"]!.AsArray().Count(b => (string)b!["reason"]! == "consumption-limit") == 2, "the limit's barring");
        Assert.Equal(["baoc", "data"], barred.Body["activeBarrings"]!.AsArray().Where(b => (string)b!["reason"]! == "consumption-limit")
            .Select(b => (string)b!["type"]!).Order().ToArray());
        Assert.All(barred.Body["activeBarrings"]!.AsArray(), b => Assert.Equal("operator", (string)b!["source"]!));

        // And a PATCH cannot lift it; an operator's lift of baoc lifts its debt barring only
        await (await PatchAsync(line, new { source = "operator", lift = new[] { new { type = "baoc", reason = "consumption-limit" } } }, barred.ETag, "Try"))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "lift[0].reason");
        var debtLifted = await (await PatchAsync(line, new { source = "operator", lift = new[] { new { type = "baoc" } } }, barred.ETag, "Debt paid"))
            .ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, debtLifted["activeBarrings"]!.AsArray().Count);

        // When the limit is cleared
        await suite.PublishAsync(new ConsumptionLimitCleared(line, sale.AccountId, sale.UserId, "raised", DateTimeOffset.UtcNow, Version: 3));

        // Then nothing is barred any more
        await Eventually.Until(() => BarringsAsync(line), p => !(bool)p.Body["barred"]!, "the limit's barring to be lifted");
        await suite.TreeLineOnceAppliedAsync(sale.UserId, line, "NOT barred AND barring_version >= 5", true, "the tree to show the lift");
    }

    [Fact]
    public async Task A_read_while_the_barrings_change_shows_one_version_its_barrings_its_ETag_and_its_history_alike()
    {
        // Given a line whose customer bars and lifts roaming, one change after another
        var (_, line, _) = await ActiveMobileLineAsync();
        var (_, etag) = await BarringsAsync(line);
        var reads = new List<(JsonObject Body, string ETag)>();
        using var changing = new CancellationTokenSource();
        var reader = Task.Run(async () =>
        {
            while (!changing.IsCancellationRequested) reads.Add(await BarringsAsync(line));
        });
        for (var change = 0; change < 40; change++)
        {
            object body = change % 2 == 0
                ? new { source = "customer", set = new[] { new { type = "roaming" } } }
                : new { source = "customer", lift = new[] { new { type = "roaming" } } };
            etag = EtagOf(await (await PatchAsync(line, body, etag)).ReadJsonAsync(HttpStatusCode.OK));
        }
        await changing.CancelAsync();
        await reader;

        // Then every read answered one version: its ETag is its newest change's, and roaming is barred after a set, not a lift
        Assert.True(reads.Count > 40, $"{reads.Count} reads while the barrings changed");
        Assert.All(reads.Where(read => read.Body["history"]!.AsArray().Count > 0), read =>
        {
            var newest = read.Body["history"]![0]!;
            Assert.Equal(EtagOf(read.Body), read.ETag);
            Assert.Equal((string)newest["action"]! == "set", read.Body["activeBarrings"]!.AsArray().Any(b => (string)b!["type"]! == "roaming"));
        });
    }

    [Fact]
    public async Task A_cancelled_line_cannot_be_barred_and_a_failed_sale_leaves_no_barring_profile()
    {
        // Given a line cancelled before activation
        var sale = await _gateway.SellAsync();
        var mobile = sale.Lines[1].SubscriptionId;
        await (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{mobile}/cancellation", new { motiveId = 1 })).ReadJsonAsync(HttpStatusCode.OK);
        var (_, etag) = await BarringsAsync(mobile);

        // Then, once Barring has heard of the cancellation, barring it is 409
        await using (var barringDb = await suite.OpenDatabaseAsync(ResourceNames.Barring))
            await Eventually.Until(() => barringDb.ExecuteScalarAsync<string>("SELECT status FROM barring_lines WHERE subscription_id = @mobile", new { mobile }),
                status => status == "cancelled", "Barring to hear of the cancellation");
        await (await PatchAsync(mobile, new { source = "operator", set = new[] { new { type = "baoc", reason = "fraud" } } }, etag))
            .AssertProblemAsync(HttpStatusCode.Conflict);

        // And a sale that fails leaves no barring profile behind
        var existing = await _gateway.SellAsync();
        var failing = await _gateway.NewSaleAsync();
        failing["customer"]!["email"] = existing.Email;
        var accepted = await (await _gateway.PostAsJsonAsync("/api/v1/signups", failing)).ReadJsonAsync(HttpStatusCode.Accepted);
        await suite.WaitForCompensationAsync((long)accepted["signupId"]!);
        foreach (var line in accepted["subscriptions"]!.AsArray())
            await Eventually.Until(() => _gateway.GetAsync($"/api/v1/subscriptions/{(long)line!["subscriptionId"]!}/barrings"),
                r => r.StatusCode == HttpStatusCode.NotFound, "the failed sale's barring profiles to be removed");
    }

    private async Task<(SoldSale Sale, long Line, string Iccid)> ActiveMobileLineAsync()
    {
        var iccid = LineSetup.NewIccid();
        var sale = await _gateway.SellMobileWithSimAsync(iccid);
        await suite.ActivateAsync(sale.Lines[1].SubscriptionId);
        return (sale, sale.Lines[1].SubscriptionId, iccid);
    }

    private async Task<(JsonObject Body, string ETag)> BarringsAsync(long line)
    {
        var response = await _gateway.GetAsync($"/api/v1/subscriptions/{line}/barrings");
        var body = await response.ReadJsonAsync(HttpStatusCode.OK);
        return (body, response.Headers.ETag!.Tag);
    }

    /// <summary>The profile's version as the ETag of a view: one more per change.</summary>
    private static string EtagOf(JsonObject view) => $"\"{view["history"]!.AsArray().Select(h => (long)h!["version"]!).DefaultIfEmpty(1).Max()}\"";

    private Task<HttpResponseMessage> PatchAsync(long line, object body, string? etag, string? reason = "Customer request", string client = "care-desk")
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/subscriptions/{line}/barrings") { Content = JsonContent.Create(body) };
        if (etag is not null) request.Headers.TryAddWithoutValidation("If-Match", etag);
        if (reason is not null) request.Headers.Add("X-Reason", reason);
        request.Headers.Add("X-Client-Id", client);
        return _gateway.SendAsync(request);
    }

    private Task<HttpResponseMessage> SimStatusAsync(long line, string status, string? reason)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/subscriptions/{line}/sim-status") { Content = JsonContent.Create(new { status, reason }) };
        request.Headers.Add("X-Reason", "Customer called the care desk");
        request.Headers.Add("X-Client-Id", "care-desk");
        return _gateway.SendAsync(request);
    }

    /// <summary>The barring set the network applied for the line's profile at <paramref name="version"/> (a change-barrings work order).</summary>
    private async Task<string[]> NetworkBarringsAsync(long line, long version)
    {
        await suite.App.ResourceNotifications.WaitForResourceHealthyAsync(ResourceNames.Network);
        using var network = suite.App.CreateHttpClient(ResourceNames.Network);
        var order = await Eventually.Until(async () => (await network.GetFromJsonAsync<JsonArray>("/admin/orders"))!
                .Select(o => o!["order"]!)
                .FirstOrDefault(o => (long)o["subscriptionId"]! == line && (string)o["type"]! == "change-barrings" && (long)o["parameters"]!["barringVersion"]! == version),
            o => o is not null, $"the network to apply barring version {version} of line {line}");
        return order!["parameters"]!["barrings"]!.AsArray().Select(b => (string)b!).ToArray();
    }
}
