using System.Text.Json.Nodes;

namespace MasStack.EndToEndTests.Infrastructure;

public static class Problems
{
    /// <summary>Asserts an RFC 9457 answer with the given status, a traceId, and (when given) errors naming the fields.</summary>
    public static async Task<JsonObject> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status, params string[] fields)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!.AsObject();
        Assert.Equal((int)status, (int)problem["status"]!);
        Assert.False(string.IsNullOrEmpty((string?)problem["title"]));
        Assert.False(string.IsNullOrEmpty((string?)problem["traceId"]));
        Assert.DoesNotContain("   at ", body); // never a stack trace
        foreach (var field in fields)
            Assert.True(problem["errors"]?[field] is not null, $"The problem does not name '{field}': {body}");
        return problem;
    }
}
