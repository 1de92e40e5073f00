using System.Text;
using System.Text.Json.Nodes;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.ServiceDefaults;

namespace MasStack.EndToEndTests;

/// <summary>PostgreSQL restarting and Redis not answering, as an operator meets them: reads never answer 500, committed writes never do.</summary>
[Collection(SuiteCollection.Name)]
public class DependencyOutageTests(SuiteFixture suite)
{
    private readonly HttpClient _gateway = suite.Gateway;

    [Fact]
    public async Task Reads_right_after_a_PostgreSQL_restart_answer_or_say_503_never_500()
    {
        // Given sales whose status is read concurrently, so that Signup holds several pooled connections
        var signupIds = new List<long>();
        foreach (var _ in Enumerable.Range(0, 4))
        {
            var response = await _gateway.PostAsJsonAsync("/api/v1/signups", Sales.NewSale());
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            signupIds.Add((long)(await response.Content.ReadFromJsonAsync<JsonObject>())!["signupId"]!);
        }
        Task<HttpResponseMessage[]> ReadAll() =>
            Task.WhenAll(Enumerable.Range(0, 24).Select(i => _gateway.GetAsync($"/api/v1/signups/{signupIds[i % signupIds.Count]}")));
        Assert.All(await ReadAll(), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

        // When PostgreSQL goes away for Signup (its pooled connections cut), a read is a 503 that says when to retry
        await suite.SetDatabasesReachableAsync(false, ResourceNames.Signup);
        try
        {
            var during = await _gateway.GetAsync($"/api/v1/signups/{signupIds[0]}");
            await during.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.NotNull(during.Headers.RetryAfter);
        }
        finally
        {
            await suite.SetDatabasesReachableAsync(true, ResourceNames.Signup);
        }

        // Then, on the connections the restart broke, every read is the signup or a 503 with Retry-After, never a 500
        foreach (var response in await ReadAll())
        {
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
                Assert.NotNull(response.Headers.RetryAfter);
            }
            else Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        await Eventually.Until(
            async () => (await _gateway.GetAsync($"/api/v1/signups/{signupIds[0]}")).StatusCode,
            status => status == HttpStatusCode.OK, "reads to answer again after the restart", TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task A_write_while_Redis_times_out_is_answered_and_the_cached_tree_shows_it_once_Redis_answers()
    {
        // Given a user whose tree has been read (and so cached)
        var sale = await _gateway.SellAsync();
        var treePath = $"/api/v1/users/{sale.UserId}/tree";
        Assert.Equal("Lucía", (string)(await _gateway.GetFromJsonAsync<JsonObject>(treePath))!["user"]!["firstName"]!);
        var user = await _gateway.GetAsync($"/api/v1/users/{sale.UserId}");
        var etag = user.Headers.ETag!.ToString();

        // When Redis holds every write for longer than the services wait on it, and the user's name is changed meanwhile
        await suite.PauseWritesAsync(TimeSpan.FromSeconds(8));
        var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/users/{sale.UserId}")
        {
            Content = new StringContent("""{"firstName":"Renamed"}""", Encoding.UTF8, "application/merge-patch+json"),
        };
        patch.Headers.TryAddWithoutValidation("If-Match", etag);
        var response = await _gateway.SendAsync(patch);

        // Then the committed change is answered as such, not as a 500
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)response.StatusCode}: {body}");

        // And once Redis takes writes again, the tree (served from the cache) shows the new name
        await suite.WaitUntilWritesAnswerAsync();
        await Eventually.Until(
            async () => (string?)(await _gateway.GetFromJsonAsync<JsonObject>(treePath))!["user"]!["firstName"],
            name => name == "Renamed", "the tree to show the new name", TimeSpan.FromSeconds(60));
    }
}
