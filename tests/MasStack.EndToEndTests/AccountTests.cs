using System.Text.Json.Nodes;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.EndToEndTests.Subscriptions;
using MasStack.ServiceDefaults;

namespace MasStack.EndToEndTests;

[Collection(SuiteCollection.Name)]
public class AccountTests(SuiteFixture suite)
{
    private readonly HttpClient _gateway = suite.Gateway;

    [Fact]
    public async Task The_account_and_the_users_accounts_show_owner_payment_bundle_and_lines()
    {
        var sale = await _gateway.SellAsync();

        var account = (await _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/accounts/{sale.AccountId}"))!;
        Assert.Equal(sale.UserId, (long)account["userId"]!);
        Assert.Equal("active", (string)account["status"]!);
        Assert.Equal("postpaid", (string)account["paymentType"]!);
        Assert.Equal("FIBER-MOBILE", (string)account["bundleCode"]!);
        Assert.Equal(1, (int)account["billingDay"]!);
        Assert.Equal(sale.Lines.Select(l => l.SubscriptionId).Order(),
            account["subscriptions"]!.AsArray().Select(s => (long)s!["subscriptionId"]!).Order());

        var page = await _gateway.GetAsync($"/api/v1/users/{sale.UserId}/accounts?limit=1");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("1", page.Headers.GetValues("X-Total-Count").Single());
        Assert.Equal("1", page.Headers.GetValues("X-Result-Count").Single());
        var accounts = (await page.Content.ReadFromJsonAsync<JsonArray>())!;
        Assert.Equal(sale.AccountId, (long)accounts.Single()!["accountId"]!);
        Assert.Equal(2, accounts.Single()!["subscriptions"]!.AsArray().Count);

        var beyond = await _gateway.GetAsync($"/api/v1/users/{sale.UserId}/accounts?offset=1");
        Assert.Equal("0", beyond.Headers.GetValues("X-Result-Count").Single());
        await (await _gateway.GetAsync($"/api/v1/users/{sale.UserId}/accounts?limit=500")).AssertProblemAsync(HttpStatusCode.BadRequest, "limit");
        await (await _gateway.GetAsync("/api/v1/users/4503599627370000/accounts")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _gateway.GetAsync("/api/v1/accounts/4503599627370000")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_terms_of_a_new_account_carry_its_bundles_commitment_and_the_full_fee()
    {
        var sale = await _gateway.SellAsync();

        var terms = (await _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/accounts/{sale.AccountId}/terms"))!;

        Assert.Equal("FIBER-MOBILE", (string)terms["bundleCode"]!);
        Assert.Equal("2026-01", (string)terms["termsVersion"]!);
        Assert.Equal(12, (int)terms["commitmentMonths"]!);
        var start = DateOnly.Parse((string)terms["startDate"]!);
        Assert.InRange(start.DayNumber, DateOnly.FromDateTime(DateTime.UtcNow).DayNumber - 1, DateOnly.FromDateTime(DateTime.UtcNow).DayNumber + 1);
        Assert.Equal(start.AddMonths(12), DateOnly.Parse((string)terms["endDate"]!));
        Assert.True((bool)terms["inCommitment"]!);
        Assert.Equal(12, (int)terms["monthsRemaining"]!);
        Assert.Equal(150.00m, (decimal)terms["earlyTerminationFee"]!["amount"]!);
        Assert.Equal("EUR", (string)terms["earlyTerminationFee"]!["currency"]!);

        await (await _gateway.GetAsync("/api/v1/accounts/4503599627370000/terms")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Compatible_bundles_are_those_that_hold_every_line_and_the_others_say_why_not()
    {
        // Given a postpaid account of fibre and one mobile line
        var sale = await _gateway.SellAsync();

        // When its compatible bundles are asked for
        var response = await _gateway.GetAsync($"/api/v1/accounts/{sale.AccountId}/compatible-bundles");

        // Then every other bundle is listed, compatible first: the bigger postpaid bundles hold it (adding what they need)
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bundles = (await response.Content.ReadFromJsonAsync<JsonArray>())!.Select(b => b!.AsObject()).ToList();
        Assert.Equal(bundles.Count.ToString(), response.Headers.GetValues("X-Total-Count").Single());
        Assert.DoesNotContain(bundles, b => (string)b["code"]! == "FIBER-MOBILE");
        var byCode = bundles.ToDictionary(b => (string)b["code"]!);
        Assert.True((bool)byCode["FIBER-MOBILE-TV"]["compatible"]!);
        Assert.Equal(["1 tv line(s)"], byCode["FIBER-MOBILE-TV"]["linesToAdd"]!.AsArray().Select(l => (string)l!));
        Assert.True((bool)byCode["FIBER-FIXED-MOBILE-TV"]["compatible"]!);
        Assert.False((bool)byCode["MOBILE-POSTPAID"]["compatible"]!);
        Assert.Contains("It has no internet lines and the account has 1.", byCode["MOBILE-POSTPAID"]["reasons"]!.AsArray().Select(r => (string)r!));
        Assert.False((bool)byCode["MOBILE-PREPAID"]["compatible"]!);
        Assert.Contains(byCode["MOBILE-PREPAID"]["reasons"]!.AsArray(), r => ((string)r!).Contains("prepaid bundle"));
        Assert.Equal(bundles.OrderByDescending(b => (bool)b["compatible"]!).Select(b => b["code"]), bundles.Select(b => b["code"]));

        // And ?compatible=true keeps only those
        var onlyCompatible = (await _gateway.GetFromJsonAsync<JsonArray>($"/api/v1/accounts/{sale.AccountId}/compatible-bundles?compatible=true"))!;
        Assert.Equal(["FIBER-FIXED-MOBILE-TV", "FIBER-MOBILE-TV"], onlyCompatible.Select(b => (string)b!["code"]!).Order());
        await (await _gateway.GetAsync("/api/v1/accounts/4503599627370000/compatible-bundles")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Without_the_catalogue_compatible_bundles_are_a_quick_503_and_the_accepted_terms_still_answer()
    {
        // Given an account, and Signup (the catalogue's owner) down while Account has no copy of the catalogue yet
        var sale = await _gateway.SellAsync();
        await suite.StopResourceAsync(ResourceNames.Signup);
        try
        {
            await suite.StopResourceAsync(ResourceNames.Account);
            await suite.StartResourceAsync(ResourceNames.Account);

            // Then the read that needs the catalogue says so, with when to retry
            var response = await _gateway.GetAsync($"/api/v1/accounts/{sale.AccountId}/compatible-bundles");
            await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.True(response.Headers.RetryAfter is not null, "A 503 says when to retry.");
            // And the account and its terms still answer: the terms are the ones accepted at the sale, kept by Account
            Assert.Equal(HttpStatusCode.OK, (await _gateway.GetAsync($"/api/v1/accounts/{sale.AccountId}")).StatusCode);
            Assert.Equal("FIBER-MOBILE", (string)(await _gateway.GetJsonAsync($"/api/v1/accounts/{sale.AccountId}/terms"))["bundleCode"]!);
        }
        finally
        {
            await suite.StartResourceAsync(ResourceNames.Signup);
        }
    }
}
