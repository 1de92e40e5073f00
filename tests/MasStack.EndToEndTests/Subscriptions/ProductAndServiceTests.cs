using System.Text.Json.Nodes;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.ServiceDefaults;

namespace MasStack.EndToEndTests.Subscriptions;

[Collection(SuiteCollection.Name)]
public class ProductAndServiceTests(SuiteFixture suite)
{
    private readonly HttpClient _gateway = suite.Gateway;

    [Fact]
    public async Task A_line_lists_its_product_and_those_of_its_bundle_and_changes_to_one_that_the_tree_then_shows()
    {
        // Given a mobile line of a Fibre + Mobile bundle on MOBILE-50GB
        var sale = await _gateway.SellAsync();
        var mobile = sale.Lines[1].SubscriptionId;

        // When its products are listed
        var products = await _gateway.GetJsonAsync($"/api/v1/subscriptions/{mobile}/products");

        // Then it may move to the bundle's other mobile tariffs only
        Assert.Equal("MOBILE-50GB", (string)products["current"]!["code"]!);
        Assert.Equal(["MOBILE-10GB", "MOBILE-UNLIMITED"], products["available"]!.AsArray().Select(p => (string)p!["code"]!).Order());

        // And when it changes to one of them, the line, Billing's event and the tree follow
        var changed = await (await _gateway.SendJsonAsync(HttpMethod.Put, $"/api/v1/subscriptions/{mobile}/product", new { productCode = "MOBILE-UNLIMITED" }))
            .ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("MOBILE-50GB", (string)changed["previousProductCode"]!);
        Assert.Equal("MOBILE-UNLIMITED", (string)(await _gateway.GetJsonAsync($"/api/v1/subscriptions/{mobile}"))["productCode"]!);
        Assert.Equal(1, await suite.CountAsync(ResourceNames.Subscription,
            "SELECT count(*) FROM outbox_messages WHERE message_type LIKE '%SubscriptionProductChanged' AND body->>'subscriptionId' = @id", new { id = mobile.ToString() }));
        var shown = await suite.TreeLineOnceAppliedAsync(sale.UserId, mobile, "product_code = @expected", "MOBILE-UNLIMITED", "the tree to show the new product");
        Assert.Equal("MOBILE-UNLIMITED", (string)shown["productCode"]!);

        // And asking again for the product it has changes nothing
        (await _gateway.SendJsonAsync(HttpMethod.Put, $"/api/v1/subscriptions/{mobile}/product", new { productCode = "MOBILE-UNLIMITED" })).EnsureSuccessStatusCode();
        Assert.Equal(1, await suite.CountAsync(ResourceNames.Subscription,
            "SELECT count(*) FROM outbox_messages WHERE message_type LIKE '%SubscriptionProductChanged' AND body->>'subscriptionId' = @id", new { id = mobile.ToString() }));
    }

    [Fact]
    public async Task A_product_outside_the_bundle_of_another_type_or_unknown_is_refused_and_an_ended_line_cannot_change()
    {
        var sale = await _gateway.SellMobileWithSimAsync(LineSetup.NewIccid());
        var mobile = sale.Lines[1].SubscriptionId;

        foreach (var code in new[] { "PREPAID-5GB", "FIBER-600M", "NO-SUCH-PRODUCT" })
            await (await _gateway.SendJsonAsync(HttpMethod.Put, $"/api/v1/subscriptions/{mobile}/product", new { productCode = code }))
                .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "productCode");
        await (await _gateway.SendJsonAsync(HttpMethod.Put, "/api/v1/subscriptions/4503599627370000/product", new { productCode = "MOBILE-10GB" }))
            .AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _gateway.GetAsync("/api/v1/subscriptions/4503599627370000/products")).AssertProblemAsync(HttpStatusCode.NotFound);

        (await _gateway.PostAsJsonAsync($"/api/v1/subscriptions/{mobile}/cancellation", new { motiveId = 2 })).EnsureSuccessStatusCode();
        await (await _gateway.SendJsonAsync(HttpMethod.Put, $"/api/v1/subscriptions/{mobile}/product", new { productCode = "MOBILE-10GB" }))
            .AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("MOBILE-50GB", (string)(await _gateway.GetJsonAsync($"/api/v1/subscriptions/{mobile}"))["productCode"]!);
    }

    [Fact]
    public async Task A_line_lists_its_services_with_the_catalogue_defaults_and_switches_one()
    {
        // Given a mobile line
        var sale = await _gateway.SellAsync();
        var mobile = sale.Lines[1].SubscriptionId;

        // When its services are listed, Then those its product allows show, on or off by default
        var services = await ServicesAsync(mobile);
        Assert.Equal("on", services["ROAMING"]);
        Assert.Equal("on", services["VOICEMAIL"]);
        Assert.Equal("off", services["MULTISIM"]);
        Assert.DoesNotContain("STATIC-IP", services.Keys);

        // When roaming is switched off and MultiSIM on, Then the list shows it
        (await _gateway.SendJsonAsync(HttpMethod.Patch, $"/api/v1/subscriptions/{mobile}/services/ROAMING", new { status = "off" })).EnsureSuccessStatusCode();
        var multisim = await (await _gateway.SendJsonAsync(HttpMethod.Patch, $"/api/v1/subscriptions/{mobile}/services/MULTISIM", new { status = "on" }))
            .ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("on", (string)multisim["status"]!);
        services = await ServicesAsync(mobile);
        Assert.Equal("off", services["ROAMING"]);
        Assert.Equal("on", services["MULTISIM"]);
    }

    [Fact]
    public async Task An_unknown_service_is_404_and_one_the_product_does_not_include_409()
    {
        var sale = await _gateway.SellAsync();
        var mobile = sale.Lines[1].SubscriptionId;

        await (await _gateway.SendJsonAsync(HttpMethod.Patch, $"/api/v1/subscriptions/{mobile}/services/TELEPORT", new { status = "on" }))
            .AssertProblemAsync(HttpStatusCode.NotFound);
        await (await _gateway.SendJsonAsync(HttpMethod.Patch, $"/api/v1/subscriptions/{mobile}/services/STATIC-IP", new { status = "on" }))
            .AssertProblemAsync(HttpStatusCode.Conflict);
        await (await _gateway.SendJsonAsync(HttpMethod.Patch, $"/api/v1/subscriptions/{mobile}/services/ROAMING", new { status = "maybe" }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "status");
        await (await _gateway.GetAsync("/api/v1/subscriptions/4503599627370000/services")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    private async Task<Dictionary<string, string>> ServicesAsync(long line) =>
        (await _gateway.GetFromJsonAsync<JsonArray>($"/api/v1/subscriptions/{line}/services"))!
            .ToDictionary(s => (string)s!["code"]!, s => (string)s!["status"]!);
}
