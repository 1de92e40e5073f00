using System.Text.Json.Nodes;
using Aspire.Hosting.Testing;
using Dapper;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.ServiceDefaults;

namespace MasStack.EndToEndTests;

/// <summary>
/// The saga's timeout (five minutes, as in production) counts from the last step that moved, not from the sale's start,
/// and stands still while the broker is down. A sale is made to look older than the timeout by moving its timestamps
/// back in Signup's database, instead of waiting five minutes.
/// </summary>
[Collection(SuiteCollection.Name)]
public class SignupTimeoutTests(SuiteFixture suite)
{
    private readonly HttpClient _gateway = suite.Gateway;

    [Fact]
    public async Task A_sale_fails_when_its_progress_stalls_past_the_timeout_not_when_it_is_old()
    {
        // Given two sales waiting for Account, which is down, the other steps confirmed
        await suite.StopResourceAsync(ResourceNames.Account);
        long stalled, old;
        await using var signupDb = await suite.OpenDatabaseAsync(ResourceNames.Signup);
        try
        {
            stalled = await PostSaleAsync();
            old = await PostSaleAsync();
            foreach (var signupId in new[] { stalled, old })
                await Eventually.Until(() => PendingStepsAsync(signupDb, signupId), steps => steps == "account",
                    $"signup {signupId} to wait for Account alone");

            // When one's last step moved ten minutes ago, and the other started an hour ago but its last step moved just now
            await signupDb.ExecuteAsync("UPDATE signup_steps SET updated_at = now() - interval '10 minutes' WHERE signup_id = @stalled", new { stalled });
            await signupDb.ExecuteAsync("UPDATE signups SET created_at = now() - interval '1 hour' WHERE id = ANY(@ids)", new { ids = new[] { stalled, old } });

            // Then the stalled one fails, naming the step it waited for
            var failed = await Eventually.Until(() => _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/signups/{stalled}")!,
                s => (string?)s!["status"] != "pending", "the stalled sale to time out");
            Assert.Equal("failed", (string)failed!["status"]!);
            Assert.Contains("account", (string)failed["failureReason"]!);
        }
        finally
        {
            await suite.StartResourceAsync(ResourceNames.Account);
        }

        // And the old one, which kept moving, completes once Account is back
        var completed = await Eventually.Until(() => _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/signups/{old}")!,
            s => (string?)s!["status"] != "pending", "the old sale to complete", TimeSpan.FromSeconds(90));
        Assert.Equal("completed", (string)completed!["status"]!);
    }

    [Fact]
    public async Task A_broker_outage_longer_than_the_timeout_fails_no_accepted_sale()
    {
        // Given RabbitMQ is down, as every Signup instance has noticed, and a sale is accepted meanwhile
        await suite.StopResourceAsync(ResourceNames.RabbitMq);
        long signupId;
        await using var signupDb = await suite.OpenDatabaseAsync(ResourceNames.Signup);
        try
        {
            foreach (var instance in SuiteFixture.InstancesOf(ResourceNames.Signup))
            {
                using var service = suite.App.CreateHttpClient(instance);
                // (a bus that lost its broker reports Degraded or Unhealthy: /health answers with the status's name)
                await Eventually.Until(async () => await (await service.GetAsync("/health")).Content.ReadAsStringAsync(), status => status != "Healthy",
                    $"{instance} to notice the broker is down");
            }
            signupId = await PostSaleAsync();

            // When the outage has lasted longer than the timeout (the sale's steps last moved ten minutes ago)
            await signupDb.ExecuteAsync(
                "UPDATE signup_steps SET updated_at = now() - interval '10 minutes' WHERE signup_id = @signupId", new { signupId });
            await signupDb.ExecuteAsync("UPDATE signups SET created_at = now() - interval '10 minutes' WHERE id = @signupId", new { signupId });

            // Then its clock stands still: its waiting steps count as just moved, and it is not failed
            await Eventually.Until(
                () => signupDb.ExecuteScalarAsync<bool>(
                    "SELECT bool_and(updated_at > now() - interval '1 minute') FROM signup_steps WHERE signup_id = @signupId", new { signupId }),
                paused => paused, "the timeout's clock to stand still while the broker is down");
            Assert.Equal("pending", await signupDb.ExecuteScalarAsync<string>("SELECT status FROM signups WHERE id = @signupId", new { signupId }));
        }
        finally
        {
            await suite.StartResourceAsync(ResourceNames.RabbitMq);
        }

        // And once the broker is back the sale completes
        var completed = await Eventually.Until(() => _gateway.GetFromJsonAsync<JsonObject>($"/api/v1/signups/{signupId}")!,
            s => (string?)s!["status"] != "pending", "the sale to complete after the outage", TimeSpan.FromSeconds(90));
        Assert.Equal("completed", (string)completed!["status"]!);
    }

    private async Task<long> PostSaleAsync()
    {
        var response = await _gateway.PostAsJsonAsync("/api/v1/signups", Sales.NewSale());
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body);
        return (long)JsonNode.Parse(body)!["signupId"]!;
    }

    private static Task<string?> PendingStepsAsync(Npgsql.NpgsqlConnection db, long signupId) =>
        db.ExecuteScalarAsync<string?>(
            "SELECT string_agg(step, ', ' ORDER BY step) FROM signup_steps WHERE signup_id = @signupId AND state = 'pending'", new { signupId });
}
