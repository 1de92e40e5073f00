using System.Text.Json.Nodes;
using Aspire.Hosting.Testing;
using Dapper;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.ServiceDefaults;

namespace MasStack.EndToEndTests;

/// <summary>Ported numbers through the clearing-house stand-in (accepts after short delays; refuses its configured numbers).</summary>
[Collection(SuiteCollection.Name)]
public class PortabilityTests(SuiteFixture suite)
{
    private readonly HttpClient _gateway = suite.Gateway;

    private static string DonorNumber() => $"61{Random.Shared.Next(0, 10_000_000):D7}";

    private async Task<(long SignupId, long SubscriptionId, string Iccid)> PortAsync(JsonObject sale)
    {
        var response = await _gateway.PostAsJsonAsync("/api/v1/signups", sale);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body);
        var accepted = JsonNode.Parse(body)!;
        var line = accepted["subscriptions"]!.AsArray().Single(s => (string)s!["type"]! == "mobile")!;
        return ((long)accepted["signupId"]!, (long)line["subscriptionId"]!, (string)line["iccid"]!);
    }

    private static JsonObject PortedSale(string number, string bundle = "FIBER-MOBILE", string paymentType = "postpaid", string? donorIccid = null)
    {
        var sale = bundle == "FIBER-MOBILE"
            ? Sales.NewSale()
            : Sales.NewSale(bundle, paymentType, null, [new SaleLine("mobile", "PREPAID-5GB")]);
        var line = sale["lines"]!.AsArray().Single(l => (string)l!["type"]! == "mobile")!;
        line["numberMode"] = "portability";
        line["number"] = number;
        line["donorOperator"] = "movistar";
        if (donorIccid is not null) line["donorIccid"] = donorIccid;
        return sale;
    }

    private async Task<JsonObject> PortabilityOfAsync(long signupId, string state) =>
        (await Eventually.Until(() => _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/signups/{signupId}")!,
            s => (string?)s!["portabilities"]?[0]?["state"] == state, $"the portability to be {state}", TimeSpan.FromSeconds(60)))!
        ["portabilities"]![0]!.AsObject();

    [Fact]
    public async Task A_ported_number_goes_through_every_state_and_its_line_activates_when_ported()
    {
        var number = DonorNumber();

        var (signupId, subscriptionId, iccid) = await PortAsync(PortedSale(number));

        var ported = await PortabilityOfAsync(signupId, "ported");
        Assert.NotNull((string?)ported["windowStart"]);
        Assert.NotNull((string?)ported["windowEnd"]);
        var line = await Eventually.Until(() => _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/subscriptions/{subscriptionId}")!,
            s => (string)s!["status"]! == "active", "the ported line to become active");
        Assert.Equal("+34" + number, (string)line!["number"]!);
        Assert.Equal("ported", (string)line["portability"]!["state"]!);
        Assert.NotNull((string?)line["portability"]!["windowStart"]);
        Assert.Equal("active", (string)(await _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/sim-cards/{iccid}"))!["state"]!);
        await using var db = await suite.OpenDatabaseAsync(ResourceNames.Subscription);
        Assert.Equal("ported", await db.ExecuteScalarAsync<string>("SELECT state FROM subscription_portability WHERE subscription_id = @subscriptionId", new { subscriptionId }));
        await using var signupDb = await suite.OpenDatabaseAsync(ResourceNames.Signup);
        var announced = await signupDb.QueryAsync<string>(
            "SELECT body->>'state' FROM outbox_messages WHERE message_type LIKE '%PortabilityChanged' AND (body->>'subscriptionId')::bigint = @subscriptionId ORDER BY id",
            new { subscriptionId });
        Assert.Equal(["donor-validation", "accepted", "scheduled", "ported"], announced);
    }

    [Fact]
    public async Task A_cancelled_port_is_sent_to_the_clearing_house_until_it_answers()
    {
        // Given a port the donor is still validating (the stand-in holds +34 699 999 992 there), and a clearing house
        // that refuses cancellations for now
        var (signupId, subscriptionId, _) = await PortAsync(PortedSale("699999992"));
        await PortabilityOfAsync(signupId, "donor-validation");
        using var clearingHouse = suite.App.CreateHttpClient(ResourceNames.ClearingHouse);
        (await clearingHouse.PutAsJsonAsync("/admin/behaviour", new { refuseCancellations = true })).EnsureSuccessStatusCode();
        var refusedBefore = await RefusedCancellationsAsync(clearingHouse);
        try
        {
            // When the customer cancels the line
            var cancelled = await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{subscriptionId}/cancellation", new { motiveId = 1 });
            Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);

            // Then the cancellation is ours at once, and sent again and again while the clearing house refuses it
            await PortabilityOfAsync(signupId, "cancelled");
            await Eventually.Until(() => RefusedCancellationsAsync(clearingHouse), refused => refused >= refusedBefore + 2,
                "the refused cancellation to be sent again");
            Assert.Equal("donor-validation", await ClearingHouseStateAsync(clearingHouse, subscriptionId));
        }
        finally
        {
            (await clearingHouse.PutAsJsonAsync("/admin/behaviour", new { refuseCancellations = false })).EnsureSuccessStatusCode();
        }

        // And once the clearing house answers, the port is cancelled there too, and the answer recorded
        await Eventually.Until(() => ClearingHouseStateAsync(clearingHouse, subscriptionId), state => state == "cancelled",
            "the clearing house to cancel the port");
        await using var signupDb = await suite.OpenDatabaseAsync(ResourceNames.Signup);
        await Eventually.Until(
            () => signupDb.ExecuteScalarAsync<bool>(
                "SELECT cancellation_confirmed_at IS NOT NULL FROM portability_requests WHERE subscription_id = @subscriptionId", new { subscriptionId }),
            confirmed => confirmed, "the clearing house's answer to be recorded");
    }

    [Fact]
    public async Task Cancelling_a_line_whose_port_is_scheduled_is_a_409_that_changes_nothing()
    {
        // Given a port whose window is scheduled (the stand-in holds +34 699 999 993 there)
        var (signupId, subscriptionId, _) = await PortAsync(PortedSale("699999993"));
        await PortabilityOfAsync(signupId, "scheduled");
        await Eventually.Until(() => _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/subscriptions/{subscriptionId}")!,
            s => (string?)s!["portability"]?["state"] == "scheduled", "the port to be scheduled", TimeSpan.FromSeconds(60));

        // When the customer asks to cancel the line
        var refused = await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{subscriptionId}/cancellation", new { motiveId = 1 });

        // Then it is refused, and the line still waits for its port
        await refused.AssertProblemAsync(HttpStatusCode.Conflict);
        var line = await _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/subscriptions/{subscriptionId}");
        Assert.Equal("pending-portability", (string)line!["status"]!);
        Assert.Equal("scheduled", (string)line["portability"]!["state"]!);
    }

    private static async Task<int> RefusedCancellationsAsync(HttpClient clearingHouse) =>
        (int)(await clearingHouse.GetFromJsonAsync<JsonObject>("/admin/behaviour"))!["refusedCancellations"]!;

    private static async Task<string?> ClearingHouseStateAsync(HttpClient clearingHouse, long subscriptionId) =>
        (string?)(await clearingHouse.GetFromJsonAsync<JsonObject>($"/portability-requests/{subscriptionId}"))!["state"];

    [Fact]
    public async Task A_port_the_donor_refuses_says_why_cancels_the_line_and_returns_the_sim()
    {
        var (signupId, subscriptionId, iccid) = await PortAsync(PortedSale("699999990"));

        var rejected = await PortabilityOfAsync(signupId, "rejected");

        Assert.Contains("document", (string)rejected["reason"]!);
        var line = await Eventually.Until(() => _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/subscriptions/{subscriptionId}")!,
            s => (string)s!["status"]! == "cancelled", "the line to be cancelled");
        Assert.Equal("rejected", (string)line!["portability"]!["state"]!);
        Assert.Contains("document", (string)line["portability"]!["reason"]!);
        await Eventually.Until(() => _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/sim-cards/{iccid}")!,
            s => (string)s!["state"]! == "available", "the SIM to be back in stock");
        Assert.NotNull(line);
    }

    [Fact]
    public async Task A_prepaid_port_whose_donor_sim_does_not_match_is_rejected()
    {
        // A valid ICCID, but of another issuer than the donor's (Movistar's SIMs start 893407).
        const string otherIssuersSim = "8934250001000000015";

        var (signupId, _, _) = await PortAsync(PortedSale(DonorNumber(), "MOBILE-PREPAID", "prepaid", otherIssuersSim));

        var rejected = await PortabilityOfAsync(signupId, "rejected");
        Assert.Contains("ICCID", (string)rejected["reason"]!);
    }

    [Fact]
    public async Task A_prepaid_port_needs_the_donor_sims_iccid_and_our_own_numbers_cannot_be_ported_in()
    {
        var withoutSim = PortedSale(DonorNumber(), "MOBILE-PREPAID", "prepaid");
        await (await _gateway.PostAsJsonAsync("/api/v1/signups", withoutSim)).AssertProblemAsync(HttpStatusCode.BadRequest, "lines[0].donorIccid");

        var ours = PortedSale(Sales.NewMobile());
        await (await _gateway.PostAsJsonAsync("/api/v1/signups", ours)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "lines[1].number");
    }
}
