using System.Text.Json.Nodes;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.ServiceDefaults;

namespace MasStack.EndToEndTests.Subscriptions;

[Collection(SuiteCollection.Name)]
public class OfferTests(SuiteFixture suite)
{
    private readonly HttpClient _gateway = suite.Gateway;

    [Fact]
    public async Task A_bonus_is_added_with_its_validity_listed_refused_twice_and_deleted()
    {
        // Given a mobile line
        var sale = await _gateway.SellAsync();
        var mobile = sale.Lines[1].SubscriptionId;
        var today = DateOnly.FromDateTime(DateTime.UtcNow);

        // When a 30-day data bonus is added
        var response = await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{mobile}/bonuses", new { bonusCode = "DATA-5GB-30D" });
        var bonus = await response.ReadJsonAsync(HttpStatusCode.Created);

        // Then it is valid for 30 days from today and listed
        var bonusId = (long)bonus["bonusId"]!;
        Assert.EndsWith($"/bonuses/{bonusId}", response.Headers.Location!.ToString());
        Assert.Equal(today.ToString("yyyy-MM-dd"), (string)bonus["startDate"]!);
        Assert.Equal(today.AddDays(29).ToString("yyyy-MM-dd"), (string)bonus["endDate"]!);
        Assert.Equal("active", (string)bonus["status"]!);
        var listed = await _gateway.GetFromJsonAsync<JsonArray>($"/api/v1/subscriptions/{mobile}/bonuses");
        Assert.Equal(bonusId, (long)listed!.Single()!["bonusId"]!);

        // And the same bonus again while it is active is a conflict
        await (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{mobile}/bonuses", new { bonusCode = "DATA-5GB-30D" })).AssertProblemAsync(HttpStatusCode.Conflict);

        // And once deleted it is gone, and deleting it again is 404
        Assert.Equal(HttpStatusCode.NoContent, (await _gateway.DeleteAsync($"/api/v1/subscriptions/{mobile}/bonuses/{bonusId}")).StatusCode);
        Assert.Empty((await _gateway.GetFromJsonAsync<JsonArray>($"/api/v1/subscriptions/{mobile}/bonuses"))!);
        await (await _gateway.DeleteAsync($"/api/v1/subscriptions/{mobile}/bonuses/{bonusId}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_bonus_not_for_the_line_or_not_in_the_catalogue_is_refused_and_an_unknown_line_is_404()
    {
        var sale = await _gateway.SellAsync();
        var internet = sale.Lines[0].SubscriptionId;

        await (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{internet}/bonuses", new { bonusCode = "DATA-5GB-30D" }))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "bonusCode");
        await (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{internet}/bonuses", new { bonusCode = "FREE-EVERYTHING" }))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "bonusCode");
        await (await _gateway.PostAsJsonAsync("/api/v1/subscriptions/4503599627370000/bonuses", new { bonusCode = "DATA-5GB-30D" }))
            .AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _gateway.GetAsync("/api/v1/subscriptions/4503599627370000/promotions")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Promotions_are_added_to_lines_and_the_account_shows_them_across_its_lines()
    {
        // Given an account with fibre and a mobile line
        var sale = await _gateway.SellAsync();
        var (internet, mobile) = (sale.Lines[0].SubscriptionId, sale.Lines[1].SubscriptionId);

        // When each gets a promotion
        var fibre = await (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{internet}/promotions", new { promotionCode = "FIBER-HALF-6M" })).ReadJsonAsync(HttpStatusCode.Created);
        var welcome = await (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{mobile}/promotions", new { promotionCode = "WELCOME-50-3M" })).ReadJsonAsync(HttpStatusCode.Created);

        // Then the account lists both, each with its line, and the same promotion twice on a line is a conflict
        Assert.Equal(50m, (decimal)fibre["discountPercent"]!);
        var account = await _gateway.GetFromJsonAsync<JsonArray>($"/api/v1/accounts/{sale.AccountId}/promotions");
        Assert.Equal([(internet, "FIBER-HALF-6M"), (mobile, "WELCOME-50-3M")],
            account!.Select(p => ((long)p!["subscriptionId"]!, (string)p["promotionCode"]!)).Order());
        await (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{mobile}/promotions", new { promotionCode = "WELCOME-50-3M" })).AssertProblemAsync(HttpStatusCode.Conflict);

        // And a deleted promotion leaves the account's list
        Assert.Equal(HttpStatusCode.NoContent, (await _gateway.DeleteAsync($"/api/v1/subscriptions/{mobile}/promotions/{(long)welcome["promotionId"]!}")).StatusCode);
        Assert.Single((await _gateway.GetFromJsonAsync<JsonArray>($"/api/v1/accounts/{sale.AccountId}/promotions"))!);
        await (await _gateway.DeleteAsync($"/api/v1/subscriptions/{mobile}/promotions/{(long)welcome["promotionId"]!}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _gateway.GetAsync("/api/v1/accounts/4503599627370000/promotions")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("bonuses", "bonusCode", "VOICE-100MIN-30D", "bonusId")]
    [InlineData("promotions", "promotionCode", "LOYALTY-10-12M", "promotionId")]
    public async Task A_repeated_add_with_the_same_Idempotency_Key_adds_once(string resource, string codeField, string code, string idField)
    {
        var sale = await _gateway.SellAsync();
        var mobile = sale.Lines[1].SubscriptionId;
        var key = $"{resource}-{Guid.NewGuid():N}";
        var body = new JsonObject { [codeField] = code };

        var first = await (await _gateway.SendJsonAsync(HttpMethod.Post, $"/api/v1/subscriptions/{mobile}/{resource}", body, key)).ReadJsonAsync(HttpStatusCode.Created);
        var repeat = await (await _gateway.SendJsonAsync(HttpMethod.Post, $"/api/v1/subscriptions/{mobile}/{resource}", body, key)).ReadJsonAsync(HttpStatusCode.Created);

        Assert.Equal((long)first[idField]!, (long)repeat[idField]!);
        Assert.Equal(1, await suite.CountAsync(ResourceNames.Subscription,
            "SELECT count(*) FROM subscription_offers WHERE subscription_id = @mobile AND removed_at IS NULL", new { mobile }));
    }
}
