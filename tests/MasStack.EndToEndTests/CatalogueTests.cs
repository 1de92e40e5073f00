using System.Text.Json.Nodes;
using MasStack.EndToEndTests.Infrastructure;

namespace MasStack.EndToEndTests;

[Collection(SuiteCollection.Name)]
public class CatalogueTests(SuiteFixture suite)
{
    private readonly HttpClient _gateway = suite.Gateway;

    [Fact]
    public async Task The_catalogue_offers_each_kind_of_bundle_with_its_composition()
    {
        var response = await _gateway.GetAsync("/api/v1/catalogue/bundles");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bundles = (await response.Content.ReadFromJsonAsync<JsonArray>())!;
        Assert.Equal(bundles.Count.ToString(), Assert.Single(response.Headers.GetValues("X-Total-Count")));
        Assert.Contains(bundles, b => (string)b!["paymentType"]! == "prepaid");
        var convergent = bundles.Single(b => (string)b!["code"]! == "FIBER-FIXED-MOBILE-TV")!;
        Assert.Equal(["fixed", "internet", "mobile", "tv"], convergent["slots"]!.AsArray().Select(s => (string)s!["type"]!).Order());
        Assert.True((int)convergent["commitmentMonths"]! > 0);
    }

    [Fact]
    public async Task Products_are_filtered_by_type_and_paged()
    {
        var response = await _gateway.GetAsync("/api/v1/catalogue/products?type=mobile&limit=2");

        var page = (await response.Content.ReadFromJsonAsync<JsonArray>())!;
        Assert.Equal(2, page.Count);
        Assert.All(page, p => Assert.Equal("mobile", (string)p!["type"]!));
        Assert.Equal("2", Assert.Single(response.Headers.GetValues("X-Result-Count")));
        Assert.True(int.Parse(Assert.Single(response.Headers.GetValues("X-Total-Count"))) > 2);
    }

    [Fact]
    public async Task A_limit_beyond_200_is_400() =>
        await (await _gateway.GetAsync("/api/v1/catalogue/products?limit=500")).AssertProblemAsync(HttpStatusCode.BadRequest, "limit");

    [Fact]
    public async Task An_unknown_product_is_404() =>
        await (await _gateway.GetAsync("/api/v1/catalogue/products/NO-SUCH-PRODUCT")).AssertProblemAsync(HttpStatusCode.NotFound);

    [Fact]
    public async Task An_unknown_subscription_type_is_400_naming_it() =>
        await (await _gateway.GetAsync("/api/v1/catalogue/products?type=Mobile")).AssertProblemAsync(HttpStatusCode.BadRequest, "type");
}
