using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using MasStack.EndToEndTests.Infrastructure;

namespace MasStack.EndToEndTests;

[Collection(SuiteCollection.Name)]
public class UserDataTests(SuiteFixture suite)
{
    private readonly HttpClient _gateway = suite.Gateway;

    private static HttpRequestMessage MergePatch(string path, string json, string? ifMatch, string contentType = "application/merge-patch+json")
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, path) { Content = new StringContent(json, Encoding.UTF8, contentType) };
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return request;
    }

    private async Task<(JsonObject User, string ETag)> GetUserAsync(long userId)
    {
        var response = await _gateway.GetAsync($"/api/v1/users/{userId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return ((await response.Content.ReadFromJsonAsync<JsonObject>())!, response.Headers.ETag!.ToString());
    }

    [Fact]
    public async Task The_user_detail_shows_personal_data_with_the_bank_account_masked_and_an_etag()
    {
        // Given a completed postpaid sale
        var sale = await _gateway.SellAsync();

        // When the user is read
        var (user, etag) = await GetUserAsync(sale.UserId);

        // Then it carries every personal field, normalized, and never the full IBAN
        Assert.Equal(sale.UserId, (long)user["userId"]!);
        Assert.Equal("dni", (string)user["documentType"]!);
        Assert.Equal(sale.DocumentNumber, (string)user["documentNumber"]!);
        Assert.Equal(sale.Email, (string)user["email"]!);
        Assert.Equal("+34612345678", (string)user["phone"]!);
        Assert.Equal("1990-05-17", (string)user["birthDate"]!);
        Assert.Equal("28013", (string)user["address"]!["postalCode"]!);
        Assert.Equal("ES** **** **** **** **** 1332", (string)user["bankAccount"]!);
        Assert.Matches("^\"[0-9]+\"$", etag);

        await (await _gateway.GetAsync("/api/v1/users/4503599627370000")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_merge_patch_changes_what_it_names_is_audited_and_the_tree_follows_the_new_email()
    {
        // Given a user whose tree has been read (and cached) by email
        var sale = await _gateway.SellAsync();
        Assert.Equal(HttpStatusCode.OK, (await _gateway.GetAsync($"/api/v1/customer-tree?email={Uri.EscapeDataString(sale.Email)}")).StatusCode);
        var (_, etag) = await GetUserAsync(sale.UserId);

        // When customer care patches the email, phone and postal code, saying who and why
        var newEmail = $"NEW.{sale.DocumentNumber}@Example.com";
        var patch = MergePatch($"/api/v1/users/{sale.UserId}",
            new JsonObject { ["email"] = newEmail, ["phone"] = "0034 699 000 001", ["address"] = new JsonObject { ["postalCode"] = "28014" } }
                .ToJsonString(), etag);
        patch.Headers.Add("X-Client-Id", "care-desk-7");
        patch.Headers.Add("X-Reason", "customer moved");
        var response = await _gateway.SendAsync(patch);

        // Then the new data is answered with a new ETag, normalized, the rest untouched
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var newEtag = response.Headers.ETag!.ToString();
        Assert.NotEqual(etag, newEtag);
        var (user, readEtag) = await GetUserAsync(sale.UserId);
        Assert.Equal(newEtag, readEtag);
        Assert.Equal(newEmail.ToLowerInvariant(), (string)user["email"]!);
        Assert.Equal("+34699000001", (string)user["phone"]!);
        Assert.Equal("28014", (string)user["address"]!["postalCode"]!);
        Assert.Equal("Calle Mayor 1, 3º B", (string)user["address"]!["street"]!);
        Assert.Equal("Lucía", (string)user["firstName"]!);

        // And the tree is found by the new email, and no longer by the old one
        var tree = (await _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/customer-tree?email={Uri.EscapeDataString(newEmail)}"))!;
        Assert.Equal(sale.UserId, (long)tree["user"]!["userId"]!);
        Assert.Equal(newEmail.ToLowerInvariant(), (string)tree["user"]!["email"]!);
        await (await _gateway.GetAsync($"/api/v1/customer-tree?email={Uri.EscapeDataString(sale.Email)}")).AssertProblemAsync(HttpStatusCode.NotFound);

        // And the history says what changed, who changed it and why
        var history = await _gateway.GetAsync($"/api/v1/users/{sale.UserId}/history");
        Assert.Equal("1", history.Headers.GetValues("X-Total-Count").Single());
        var change = (await history.Content.ReadFromJsonAsync<JsonArray>())!.Single()!;
        Assert.Equal("user", (string)change["resource"]!);
        Assert.Equal(SuiteFixture.DefaultClient, (string)change["changedBy"]!); // the token's client; the X-Client-Id sent is ignored
        Assert.Equal("customer moved", (string)change["reason"]!);
        Assert.Equal(sale.Email, (string)change["changes"]!["email"]!["from"]!);
        Assert.Equal(["address", "email", "phone"], change["changes"]!.AsObject().Select(c => c.Key).Order());

        // And plain application/json is accepted as a merge patch too, audited as the same authenticated client
        var plain = await _gateway.SendAsync(MergePatch($"/api/v1/users/{sale.UserId}", """{"lastName":"García López"}""", newEtag, "application/json"));
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        var latest = (await _gateway.GetFromJsonAsync<JsonArray>($"/api/v1/users/{sale.UserId}/history?limit=1"))!.Single()!;
        Assert.Equal(SuiteFixture.DefaultClient, (string)latest["changedBy"]!);
        Assert.Null(latest["reason"]);
    }

    [Fact]
    public async Task An_update_without_if_match_is_428_and_with_a_stale_one_412()
    {
        var sale = await _gateway.SellAsync();
        var (_, etag) = await GetUserAsync(sale.UserId);
        var path = $"/api/v1/users/{sale.UserId}";

        await (await _gateway.SendAsync(MergePatch(path, """{"firstName":"Ana"}""", null))).AssertProblemAsync(HttpStatusCode.PreconditionRequired);
        Assert.Equal(HttpStatusCode.OK, (await _gateway.SendAsync(MergePatch(path, """{"firstName":"Ana"}""", etag))).StatusCode);
        await (await _gateway.SendAsync(MergePatch(path, """{"firstName":"Eva"}""", etag))).AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal("Ana", (string)(await GetUserAsync(sale.UserId)).User["firstName"]!);
    }

    [Fact]
    public async Task Of_two_concurrent_updates_with_the_same_etag_one_wins_and_the_other_is_412()
    {
        var sale = await _gateway.SellAsync();
        var (_, etag) = await GetUserAsync(sale.UserId);
        var path = $"/api/v1/users/{sale.UserId}";

        var answers = await Task.WhenAll(
            _gateway.SendAsync(MergePatch(path, """{"firstName":"Ana"}""", etag)),
            _gateway.SendAsync(MergePatch(path, """{"firstName":"Eva"}""", etag)));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.PreconditionFailed], answers.Select(a => a.StatusCode).Order());
        var winner = answers.Single(a => a.StatusCode == HttpStatusCode.OK);
        var (user, current) = await GetUserAsync(sale.UserId);
        Assert.Equal(winner.Headers.ETag!.ToString(), current);
        Assert.Equal((string)(await winner.Content.ReadFromJsonAsync<JsonObject>())!["firstName"]!, (string)user["firstName"]!);
        Assert.Equal("1", (await _gateway.GetAsync($"{path}/history")).Headers.GetValues("X-Total-Count").Single());
    }

    [Fact]
    public async Task Refused_updates_say_why_and_change_nothing()
    {
        var sale = await _gateway.SellAsync();
        var other = await _gateway.SellAsync();
        var (before, etag) = await GetUserAsync(sale.UserId);
        var path = $"/api/v1/users/{sale.UserId}";

        // The document number is the customer: 422
        await (await _gateway.SendAsync(MergePatch(path, $$"""{"documentNumber":"{{Sales.NewDni()}}"}""", etag)))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        // Another customer's email: 409
        await (await _gateway.SendAsync(MergePatch(path, $$"""{"email":"{{other.Email.ToUpperInvariant()}}"}""", etag)))
            .AssertProblemAsync(HttpStatusCode.Conflict);
        // Malformed fields and fields the server owns: 400 naming each
        await (await _gateway.SendAsync(MergePatch(path, """{"phone":"12345","email":"nope","address":{"postalCode":"99999"},"userId":1,"updatedAt":"2020-01-01T00:00:00Z"}""", etag)))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "phone", "email", "address.postalCode", "userId", "updatedAt");
        await (await _gateway.SendAsync(MergePatch(path, "{not json", etag))).AssertProblemAsync(HttpStatusCode.BadRequest);
        // Not JSON: 415; unknown user: 404
        await (await _gateway.SendAsync(MergePatch(path, "firstName=Ana", etag, "application/x-www-form-urlencoded")))
            .AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        await (await _gateway.SendAsync(MergePatch("/api/v1/users/4503599627370000", "{}", etag))).AssertProblemAsync(HttpStatusCode.NotFound);

        var (after, sameEtag) = await GetUserAsync(sale.UserId);
        Assert.Equal(etag, sameEtag);
        Assert.Equal(before.ToJsonString(), after.ToJsonString());
    }

    [Fact]
    public async Task Shipping_details_default_to_the_users_address_and_are_replaced_under_if_match()
    {
        var sale = await _gateway.SellAsync();
        var path = $"/api/v1/users/{sale.UserId}/expedition";

        // Given a user who never set shipping details: their own address, name and phone
        var first = await _gateway.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var defaults = (await first.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True((bool)defaults["isDefault"]!);
        Assert.Equal("Calle Mayor 1, 3º B", (string)defaults["address"]!["street"]!);
        Assert.Equal("Lucía García Pérez", (string)defaults["contactName"]!);
        Assert.Equal("+34612345678", (string)defaults["contactPhone"]!);
        var etag = first.Headers.ETag!.ToString();

        var details = new JsonObject
        {
            ["address"] = new JsonObject { ["street"] = "Calle Luna 2", ["city"] = "Sevilla", ["postalCode"] = "41001", ["province"] = "Sevilla" },
            ["contactName"] = "Ana Ruiz", ["contactPhone"] = "699 000 001", ["notes"] = "Leave it with the concierge",
        };
        HttpRequestMessage Put(JsonObject body, string? ifMatch)
        {
            var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = JsonContent.Create(body) };
            if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
            return request;
        }

        // When replaced without If-Match, or with bad parts, nothing changes
        await (await _gateway.SendAsync(Put(details, null))).AssertProblemAsync(HttpStatusCode.PreconditionRequired);
        var bad = details.DeepClone().AsObject();
        bad["address"]!["postalCode"] = "4100";
        bad["contactPhone"] = "555";
        bad.Remove("contactName");
        await (await _gateway.SendAsync(Put(bad, etag))).AssertProblemAsync(HttpStatusCode.BadRequest, "address.postalCode", "contactPhone", "contactName");

        // When replaced with the ETag read
        var replaced = await _gateway.SendAsync(Put(details, etag));

        // Then the new details are shown, normalized, under a new ETag; the old one is stale
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var read = await _gateway.GetAsync(path);
        Assert.Equal(replaced.Headers.ETag, read.Headers.ETag);
        var shown = (await read.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.False((bool)shown["isDefault"]!);
        Assert.Equal("41001", (string)shown["address"]!["postalCode"]!);
        Assert.Equal("+34699000001", (string)shown["contactPhone"]!);
        Assert.Equal("Leave it with the concierge", (string)shown["notes"]!);
        await (await _gateway.SendAsync(Put(details, etag))).AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        var history = (await _gateway.GetFromJsonAsync<JsonArray>($"/api/v1/users/{sale.UserId}/history"))!;
        Assert.Equal("expedition", (string)history.Single()!["resource"]!);

        await (await _gateway.GetAsync("/api/v1/users/4503599627370000/expedition")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_agile_tv_email_changes_on_the_tv_line_and_the_subscription_shows_it()
    {
        // Given a customer with TV, and one without
        var withTv = await _gateway.SellAsync("FIBER-MOBILE-TV", lines:
            [new SaleLine("internet", "FIBER-1G"), new SaleLine("mobile", "MOBILE-50GB"), new SaleLine("tv", "TV-BASIC")]);
        var withoutTv = await _gateway.SellAsync();
        var tvLine = withTv.Lines.Single(l => l.Type == "tv").SubscriptionId;

        // When each asks to change the TV login email
        var changed = await _gateway.PutAsJsonAsync($"/api/v1/users/{withTv.UserId}/agile-tv/email", new { email = "Tv.Login@Example.com" });
        var refused = await _gateway.PutAsJsonAsync($"/api/v1/users/{withoutTv.UserId}/agile-tv/email", new { email = "tv@example.com" });

        // Then the one with TV has it, on the tree's TV line and on the subscription; the other is 409
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal([tvLine], (await changed.Content.ReadFromJsonAsync<JsonObject>())!["subscriptionIds"]!.AsArray().Select(i => (long)i!));
        await refused.AssertProblemAsync(HttpStatusCode.Conflict);

        var tree = (await _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/users/{withTv.UserId}/tree"))!;
        var lines = tree["accounts"]!.AsArray().SelectMany(a => a!["subscriptions"]!.AsArray()).ToList();
        Assert.Equal("tv.login@example.com", (string)lines.Single(l => (long)l!["subscriptionId"]! == tvLine)!["agileTvEmail"]!);
        Assert.All(lines.Where(l => (long)l!["subscriptionId"]! != tvLine), l => Assert.Null(l!["agileTvEmail"]));
        await Eventually.Until(
            () => _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/subscriptions/{tvLine}")!,
            s => (string?)s!["agileTvEmail"] == "tv.login@example.com", "the TV subscription to show the new login email");

        await (await _gateway.PutAsJsonAsync($"/api/v1/users/{withTv.UserId}/agile-tv/email", new { email = "nope" }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "email");
        await (await _gateway.PutAsJsonAsync("/api/v1/users/4503599627370000/agile-tv/email", new { email = "a@example.com" }))
            .AssertProblemAsync(HttpStatusCode.NotFound);
    }
}
