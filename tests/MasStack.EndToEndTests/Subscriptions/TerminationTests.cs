using System.Text.Json.Nodes;
using Dapper;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.ServiceDefaults;

namespace MasStack.EndToEndTests.Subscriptions;

/// <summary>A live line ends at the customer's request, at once or on a date; its number rests in quarantine (20 s under test).</summary>
[Collection(SuiteCollection.Name)]
public class TerminationTests(SuiteFixture suite)
{
    private readonly HttpClient _gateway = suite.Gateway;

    private static DateOnly TodayInSpain() =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/Madrid")).DateTime);

    /// <summary>Fibre plus a mobile line whose SIM was activated: the mobile line is the second, and live.</summary>
    private async Task<(SoldSale Sale, long Mobile)> LiveMobileLineAsync(string? number = null)
    {
        var sale = await _gateway.SellAsync("FIBER-MOBILE", "postpaid", null, new SaleLine("internet", "FIBER-1G"), new SaleLine("mobile", "MOBILE-50GB", number));
        var mobile = sale.Lines.Single(l => l.Type == "mobile").SubscriptionId;
        await suite.ActivateAsync(mobile);
        return (sale, mobile);
    }

    private Task<JsonObject> LineOnceAsync(long subscriptionId, string status) =>
        Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/subscriptions/{subscriptionId}"), l => (string)l["status"]! == status,
            $"line {subscriptionId} to be {status}", TimeSpan.FromSeconds(60));

    private Task<HttpResponseMessage> TerminateAsync(long subscriptionId, object body) =>
        _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{subscriptionId}/termination", body);

    [Fact]
    public async Task A_line_terminated_now_ends_its_SIM_is_deactivated_and_the_event_carries_the_fee_of_the_terms()
    {
        // Given a live mobile line of a bundle with a 12-month commitment
        var (sale, mobile) = await LiveMobileLineAsync();
        var terms = await _gateway.GetJsonAsync($"/api/v1/accounts/{sale.AccountId}/terms");
        Assert.True((bool)terms["inCommitment"]!);

        // When the customer terminates it, with a motive of master data
        var accepted = await (await TerminateAsync(mobile, new { motiveId = 103 })).ReadJsonAsync(HttpStatusCode.Accepted);
        Assert.Equal(TodayInSpain().ToString("yyyy-MM-dd"), (string)accepted["requestedDate"]!);

        // Then the line is terminated at once, showing the fee charged and the deactivation sent to the network
        var line = await LineOnceAsync(mobile, "terminated");
        Assert.NotNull(line["endedAt"]);
        var termination = line["termination"]!;
        Assert.Equal("completed", (string)termination["state"]!);
        Assert.Equal("price", (string)termination["motive"]!["code"]!);
        Assert.True((bool)termination["inCommitment"]!);
        Assert.Equal((decimal)terms["earlyTerminationFee"]!["amount"]!, (decimal)termination["earlyTerminationFee"]!["amount"]!);
        var deactivation = await Eventually.Until(
            () => _gateway.GetJsonAsync($"/api/v1/work-orders/{(long)termination["workOrderId"]!}"), o => (string)o["status"]! != "pending",
            "the deactivation to reach the network");
        Assert.Equal("deactivate", (string)deactivation["type"]!);
        Assert.Equal("completed", (string)deactivation["status"]!);

        // And the event for Billing carries the fee of the account's terms, once
        await using (var db = await suite.OpenDatabaseAsync(ResourceNames.Subscription))
        {
            var events = (await db.QueryAsync<string>(
                "SELECT body::text FROM outbox_messages WHERE message_type LIKE '%SubscriptionTerminated' AND (body->>'subscriptionId')::bigint = @mobile",
                new { mobile })).ToList();
            var terminated = JsonNode.Parse(Assert.Single(events))!;
            Assert.Equal(150.00m, (decimal)terminated["earlyTerminationFee"]!["amount"]!);
            Assert.Equal((decimal)terms["earlyTerminationFee"]!["amount"]!, (decimal)terminated["earlyTerminationFee"]!["amount"]!);
            Assert.True((bool)terminated["inCommitment"]!);
            Assert.Equal(103, (int)terminated["motiveId"]!);
        }

        // And every view follows: the SIM stock, the tree, the account's lines
        var iccid = (string)line["iccid"]!;
        await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/sim-cards/{iccid}"), s => (string)s["state"]! == "deactivated", "the SIM to be deactivated");
        await suite.TreeLineOnceAppliedAsync(sale.UserId, mobile, "status = @expected", "terminated", "the tree to show the termination");
        var account = await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/accounts/{sale.AccountId}"),
            a => a["subscriptions"]!.AsArray().Any(s => (long)s!["subscriptionId"]! == mobile && (string)s["status"]! == "terminated"),
            "the account to show the line terminated");
        Assert.Equal("active", (string)account["status"]!); // the fibre line is still the customer's

        // When the last line, the fibre (once installed), ends too, the account is closed, and the tree shows it
        var fibre = sale.Lines.Single(l => l.Type == "internet").SubscriptionId;
        await LineOnceAsync(fibre, "active");
        (await TerminateAsync(fibre, new { motiveId = 101 })).EnsureSuccessStatusCode();
        await LineOnceAsync(fibre, "terminated");
        await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/accounts/{sale.AccountId}"), a => (string)a["status"]! == "closed",
            "the account to be closed");
        await using (var customer = await suite.OpenDatabaseAsync(ResourceNames.Customer))
            await Eventually.Until(
                () => customer.ExecuteScalarAsync<string>("SELECT status FROM tree_accounts WHERE account_id = @AccountId", new { sale.AccountId }),
                status => status == "closed", "the tree's read model to close the account");
        await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/users/{sale.UserId}/tree"),
            t => (string?)t["accounts"]!.AsArray().Single(a => (long)a!["accountId"]! == sale.AccountId)!["status"] == "closed",
            "the tree to show the account closed");
    }

    [Fact]
    public async Task A_termination_on_a_date_leaves_the_line_live_until_that_date_comes()
    {
        // Given a live line
        var (_, mobile) = await LiveMobileLineAsync();
        var tomorrow = TodayInSpain().AddDays(1).ToString("yyyy-MM-dd");

        // When its termination is asked for tomorrow
        var accepted = await (await TerminateAsync(mobile, new { motiveId = 102, requestedDate = tomorrow, comment = "Moving to Lisbon" }))
            .ReadJsonAsync(HttpStatusCode.Accepted);
        Assert.Equal("scheduled", (string)accepted["state"]!);

        // Then the line stays active with its termination scheduled, and a second termination is refused
        var line = await _gateway.GetJsonAsync($"/api/v1/subscriptions/{mobile}");
        Assert.Equal("active", (string)line["status"]!);
        Assert.Equal("scheduled", (string)line["termination"]!["state"]!);
        Assert.Equal(tomorrow, (string)line["termination"]!["requestedDate"]!);
        await (await TerminateAsync(mobile, new { motiveId = 101 })).AssertProblemAsync(HttpStatusCode.Conflict);

        // When that day comes (the test moves the scheduled date back one day rather than wait for midnight)
        await using (var db = await suite.OpenDatabaseAsync(ResourceNames.Subscription))
            await db.ExecuteAsync("UPDATE subscription_terminations SET requested_date = requested_date - 1 WHERE subscription_id = @mobile", new { mobile });

        // Then the line is terminated
        line = await LineOnceAsync(mobile, "terminated");
        Assert.Equal("completed", (string)line["termination"]!["state"]!);
        Assert.Equal("moving-away", (string)line["termination"]!["motive"]!["code"]!);
    }

    [Fact]
    public async Task An_in_flight_or_terminated_line_is_409_and_bad_input_names_the_field_changing_nothing()
    {
        var sale = await _gateway.SellAsync();
        var pending = sale.Lines.Single(l => l.Type == "mobile").SubscriptionId;

        await (await TerminateAsync(pending, new { motiveId = 101 })).AssertProblemAsync(HttpStatusCode.Conflict);
        await (await TerminateAsync(pending, new { motiveId = 1 })).AssertProblemAsync(HttpStatusCode.BadRequest, "motiveId");
        await (await TerminateAsync(pending, new { motiveId = 101, requestedDate = "2020-01-01" })).AssertProblemAsync(HttpStatusCode.BadRequest, "requestedDate");
        await (await TerminateAsync(pending, new { motiveId = 101, requestedDate = "tomorrow" })).AssertProblemAsync(HttpStatusCode.BadRequest, "requestedDate");
        await (await TerminateAsync(4503599627370000, new { motiveId = 101 })).AssertProblemAsync(HttpStatusCode.NotFound);
        var line = await _gateway.GetJsonAsync($"/api/v1/subscriptions/{pending}");
        Assert.Equal("pending-activation", (string)line["status"]!);
        Assert.Null(line["termination"]);

        await suite.ActivateAsync(pending);
        (await TerminateAsync(pending, new { motiveId = 101 })).EnsureSuccessStatusCode();
        await LineOnceAsync(pending, "terminated");
        await (await TerminateAsync(pending, new { motiveId = 101 })).AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_terminated_number_cannot_be_sold_until_its_quarantine_ends()
    {
        // Given a live line on a number of ours, terminated
        var number = Sales.NewMobile();
        var (_, mobile) = await LiveMobileLineAsync(number);
        (await TerminateAsync(mobile, new { motiveId = 101 })).EnsureSuccessStatusCode();
        await LineOnceAsync(mobile, "terminated");
        await using (var signup = await suite.OpenDatabaseAsync(ResourceNames.Signup))
            await Eventually.Until(
                () => signup.ExecuteScalarAsync<string>("SELECT state FROM numbers WHERE msisdn = @msisdn", new { msisdn = "+34" + number }),
                state => state == "quarantined", "the number to be quarantined");

        // When a sale tries to take it during the quarantine, it is refused
        var refused = await _gateway.PostAsync($"/api/v1/msisdns/{number}/reservations", null);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);

        // Then once the quarantine ends (20 s under test) it is reserved and sold again, to another customer
        var reserved = await Eventually.Until(async () => await _gateway.PostAsync($"/api/v1/msisdns/{number}/reservations", null),
            response => response.StatusCode == HttpStatusCode.Created, "the quarantine to end", TimeSpan.FromSeconds(60));
        var sale = Sales.NewSale("FIBER-MOBILE", "postpaid", null, [new SaleLine("internet", "FIBER-1G"), new SaleLine("mobile", "MOBILE-50GB", number)]);
        sale["lines"]![1]!["reservationId"] = (long)(await reserved.ReadJsonAsync(HttpStatusCode.Created))["reservationId"]!;
        var accepted = await (await _gateway.PostAsJsonAsync("/api/v1/signups", sale)).ReadJsonAsync(HttpStatusCode.Accepted);
        var resale = await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/signups/{(long)accepted["signupId"]!}"),
            s => (string)s["status"]! != "pending", "the new sale to complete");
        Assert.Equal("completed", (string)resale["status"]!);
        var resold = accepted["subscriptions"]!.AsArray().Single(l => (string)l!["type"]! == "mobile")!;
        var line = await _gateway.GetJsonAsync($"/api/v1/subscriptions/{(long)resold["subscriptionId"]!}");
        Assert.Equal("+34" + number, (string)line["number"]!);
        Assert.Equal("terminated", (string)(await _gateway.GetJsonAsync($"/api/v1/subscriptions/{mobile}"))["status"]!);
    }
}
