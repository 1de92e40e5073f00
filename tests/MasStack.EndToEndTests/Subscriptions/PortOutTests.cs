using System.Text.Json.Nodes;
using Aspire.Hosting.Testing;
using Dapper;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.ServiceDefaults;

namespace MasStack.EndToEndTests.Subscriptions;

/// <summary>
/// MasStack as the donor operator: the clearing-house stand-in, for another operator, asks it to release a number, and
/// executes the port when the window ends (1 s after acceptance, 2 s long).
/// </summary>
[Collection(SuiteCollection.Name)]
public class PortOutTests(SuiteFixture suite)
{
    private readonly HttpClient _gateway = suite.Gateway;

    private async Task<(SoldSale Sale, long Mobile, string Number)> LiveMobileLineAsync()
    {
        var sale = await _gateway.SellAsync();
        var mobile = sale.Lines.Single(l => l.Type == "mobile");
        await suite.ActivateAsync(mobile.SubscriptionId);
        return (sale, mobile.SubscriptionId, mobile.Number!);
    }

    /// <summary>Another operator's port-out request, filed at the clearing house: its answer as MasStack gave it.</summary>
    private async Task<JsonObject> PortOutAsync(string number, string? documentNumber)
    {
        await suite.App.ResourceNotifications.WaitForResourceHealthyAsync(ResourceNames.ClearingHouse);
        using var clearingHouse = suite.App.CreateHttpClient(ResourceNames.ClearingHouse);
        return await (await clearingHouse.PostAsJsonAsync("/port-out-requests", new { number, recipientOperator = "movistar", documentNumber }))
            .ReadJsonAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_port_out_with_the_holders_document_is_accepted_and_the_line_ends_ported_out_when_the_window_ends()
    {
        // Given a live postpaid mobile line
        var (sale, mobile, number) = await LiveMobileLineAsync();

        // When another operator asks for its number with the holder's document
        var filed = await PortOutAsync(number, sale.DocumentNumber);

        // Then MasStack accepts, and once the window ends the line is ported out, each step shown on it
        Assert.Equal("accepted", (string)filed["state"]!);
        var line = await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/subscriptions/{mobile}"),
            l => (string)l["status"]! == "ported-out", "the line to be ported out", TimeSpan.FromSeconds(60));
        var portOut = line["portOuts"]!.AsArray().Single()!;
        Assert.Equal((long)filed["id"]!, (long)portOut["portOutId"]!);
        Assert.Equal("ported-out", (string)portOut["state"]!);
        Assert.Equal("movistar", (string)portOut["recipientOperator"]!);
        Assert.NotNull(portOut["windowEnd"]);
        Assert.NotNull(line["endedAt"]);

        // And the number has left our stock (never offered, never reserved), its SIM is deactivated, and the tree shows the line gone
        await using (var signup = await suite.OpenDatabaseAsync(ResourceNames.Signup))
            await Eventually.Until(() => signup.ExecuteScalarAsync<string>("SELECT state FROM numbers WHERE msisdn = @number", new { number }),
                state => state == "ported-out", "the number to leave our stock");
        Assert.Equal(HttpStatusCode.Conflict, (await _gateway.PostAsync($"/api/v1/msisdns/{Uri.EscapeDataString(number)}/reservations", null)).StatusCode);
        var iccid = (string)line["iccid"]!;
        await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/sim-cards/{iccid}"), s => (string)s["state"]! == "deactivated", "the SIM to be deactivated");
        await suite.TreeLineOnceAppliedAsync(sale.UserId, mobile, "status = @expected", "ported-out", "the tree to show the port-out");
        Assert.Equal(1, await suite.CountAsync(ResourceNames.Subscription,
            "SELECT count(*) FROM outbox_messages WHERE message_type LIKE '%SubscriptionPortedOut' AND (body->>'subscriptionId')::bigint = @mobile", new { mobile }));
    }

    [Fact]
    public async Task A_port_out_with_a_wrong_document_is_refused_and_the_line_stays()
    {
        var (_, mobile, number) = await LiveMobileLineAsync();

        var filed = await PortOutAsync(number, Sales.NewDni());

        Assert.Equal("rejected", (string)filed["state"]!);
        Assert.Equal("document-mismatch", (string)filed["reason"]!);
        var line = await _gateway.GetJsonAsync($"/api/v1/subscriptions/{mobile}");
        Assert.Equal("active", (string)line["status"]!);
        Assert.Equal("document-mismatch", (string)line["portOuts"]![0]!["reason"]!);
    }

    [Fact]
    public async Task A_port_out_within_72_hours_of_a_SIM_swap_is_refused_as_a_recent_sim_change()
    {
        // Given a live line whose SIM was just swapped
        var (sale, mobile, number) = await LiveMobileLineAsync();
        (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{mobile}/sim-replacements",
            new { newIccid = LineSetup.NewIccid(), reason = "lost", identityCheck = "document-in-store" })).EnsureSuccessStatusCode();

        // When another operator asks for its number, even with the holder's document
        var filed = await PortOutAsync(number, sale.DocumentNumber);

        // Then the hold keeps the number here
        Assert.Equal("rejected", (string)filed["state"]!);
        Assert.Equal("recent-sim-change", (string)filed["reason"]!);
        var line = await _gateway.GetJsonAsync($"/api/v1/subscriptions/{mobile}");
        Assert.Equal("active", (string)line["status"]!);
        Assert.Equal("recent-sim-change", (string)line["portOuts"]![0]!["reason"]!);
        Assert.NotNull(line["simChangeHoldUntil"]);
    }
}
