using System.Net;
using System.Text.Json.Nodes;
using MasStack.Notifications.Features.Hub;
using MasStack.Platform.Http;

namespace MasStack.UnitTests.Notifications;

public class HubTests
{
    [Fact]
    public void The_signature_matches_the_Standard_Webhooks_test_vector()
    {
        // The specification's example (standard-webhooks, libraries' shared test): secret, id, timestamp, body, signature.
        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            WebhookSignature.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, """{"test": 2432232314}"""));
        Assert.NotNull(WebhookSignature.Key(WebhookSignature.NewSecret()));
        Assert.Null(WebhookSignature.Key("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
        Assert.Null(WebhookSignature.Key("whsec_c2hvcnQ="));
    }

    [Fact]
    public void A_query_names_event_types_and_attribute_filters_and_anything_else_is_refused()
    {
        var errors = new ValidationErrors();
        var query = HubQuery.Parse("eventType=SubscriptionActivatedEvent,SimSwappedEvent&subscriptionId=42", errors)!;
        Assert.True(errors.IsEmpty);
        Assert.Equal(["SubscriptionActivatedEvent", "SimSwappedEvent"], query.EventTypes);
        Assert.True(query.Matches("SimSwappedEvent", new JsonObject { ["subscriptionId"] = 42 }));
        Assert.False(query.Matches("SimSwappedEvent", new JsonObject { ["subscriptionId"] = 43 }));
        Assert.False(query.Matches("CustomerBillCreateEvent", new JsonObject { ["subscriptionId"] = 42 }));
        Assert.True(HubQuery.Parse("", errors)!.Matches("SaleFailedEvent", new JsonObject()));

        foreach (var bad in new[] { "eventType=Nope", "eventType=", "msisdn=1", "accountId=abc", "accountId=-1" })
        {
            var refused = new ValidationErrors();
            Assert.Null(HubQuery.Parse(bad, refused));
            Assert.Contains("query", refused.ToDictionary().Keys);
        }
    }

    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("10.1.2.3", "private")]
    [InlineData("172.20.0.1", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("100.64.0.1", "shared (CGNAT)")]
    [InlineData("::1", "loopback")]
    [InlineData("::", "unspecified")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("fd00::1", "private")]
    [InlineData("::ffff:10.0.0.1", "private")]
    [InlineData("93.184.216.34", "public")]
    [InlineData("2606:2800:220:1:248:1893:25c8:1946", "public")]
    public void Addresses_are_classified(string address, string expected) =>
        Assert.Equal(expected, CallbackPolicy.Describe(IPAddress.Parse(address)));

    [Fact]
    public async Task In_production_mode_only_https_to_public_addresses_or_the_allow_list_pass()
    {
        var policy = new CallbackPolicy(new HubOptions { RequirePublicCallbacks = true, AllowedCallbacks = ["http://localhost:5296"] });
        Assert.Null(await policy.RefusalAsync("http://localhost:5296/hooks/a"));
        Assert.Null(await policy.RefusalAsync("https://93.184.216.34/hooks"));
        Assert.NotNull(await policy.RefusalAsync("http://localhost:5297/hooks/a"));
        Assert.NotNull(await policy.RefusalAsync("http://93.184.216.34/hooks"));
        Assert.NotNull(await policy.RefusalAsync("https://169.254.169.254/latest"));
        Assert.NotNull(await policy.RefusalAsync("https://user:pw@93.184.216.34/"));
        var development = new CallbackPolicy(new HubOptions { RequirePublicCallbacks = false });
        Assert.Null(await development.RefusalAsync("http://127.0.0.1:9000/hooks"));
    }

    [Fact]
    public void The_production_retry_schedule_lasts_more_than_a_day_and_then_gives_up()
    {
        var total = RetrySchedules.Production.Aggregate(TimeSpan.Zero, (sum, wait) => sum + wait);
        Assert.True(total >= TimeSpan.FromHours(24), $"{total}");
        Assert.Equal(TimeSpan.FromSeconds(5), RetrySchedules.After(RetrySchedules.Production, 1));
        Assert.Null(RetrySchedules.After(RetrySchedules.Production, RetrySchedules.Production.Length + 1));
        Assert.Equal(RetrySchedules.Production, new HubOptions().Schedule);
    }

    [Fact]
    public void Events_are_ordered_within_the_stream_of_one_line_by_their_version()
    {
        // One head per (registration, subject) is claimed, earliest version first: the subject is the line and the stream.
        var barring = new JsonObject { ["subscriptionId"] = 7, ["accountId"] = 3, ["version"] = 4 };
        Assert.Equal("subscription:7/barring", HubEvents.Subject(HubEvents.BarringChanged, barring));
        Assert.Equal(4, HubEvents.Version(barring));
        // A SIM swap and an activation are changes of the same line (one version counter); limits have their own
        Assert.Equal(HubEvents.Subject(HubEvents.SimSwapped, barring), HubEvents.Subject(HubEvents.SubscriptionActivated, barring));
        Assert.Equal(HubEvents.Subject(HubEvents.LimitWarning, barring), HubEvents.Subject(HubEvents.LimitReached, barring));
        Assert.NotEqual(HubEvents.Subject(HubEvents.LimitWarning, barring), HubEvents.Subject(HubEvents.BarringChanged, barring));
        Assert.Equal("account:3/invoice", HubEvents.Subject(HubEvents.InvoiceIssued, new JsonObject { ["accountId"] = 3 }));
        Assert.Equal(0, HubEvents.Version(new JsonObject { ["signupId"] = 9 }));
    }
}
