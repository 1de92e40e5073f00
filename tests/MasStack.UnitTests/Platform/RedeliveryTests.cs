using MasStack.Platform.Messaging;
using Microsoft.Extensions.Configuration;

namespace MasStack.UnitTests.Platform;

public class RedeliveryTests
{
    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();

    [Fact]
    public void By_default_a_failing_message_is_redelivered_for_more_than_15_minutes_with_growing_delays()
    {
        var options = RedeliveryOptions.From(Configuration());

        Assert.True(options.Window >= TimeSpan.FromMinutes(15), $"The window is {options.Window}.");
        Assert.Equal(options.Delays.Order(), options.Delays);
        Assert.True(options.Retries.Sum(r => r.TotalSeconds) < 5, "In-memory retries stay short: they hold the consumer.");
    }

    [Fact]
    public void The_delays_come_from_configuration_replacing_the_default()
    {
        var options = RedeliveryOptions.From(Configuration(("Messaging:Redelivery:Delays:0", "00:00:01"), ("Messaging:Redelivery:Delays:1", "00:00:03")));
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)], options.Delays);
        Assert.Equal(RedeliveryOptions.Default.Retries, options.Retries);
    }

    [Fact]
    public void A_delay_too_short_to_be_one_is_refused_at_start() =>
        Assert.Throws<InvalidOperationException>(() => RedeliveryOptions.From(Configuration(("Messaging:Redelivery:Delays:0", "00:00:00"))));

    [Fact]
    public void A_redelivered_message_counts_its_redeliveries_and_leaves_the_dead_lettering_history_behind()
    {
        var headers = DelayedRedeliveryFilter.RedeliveredHeaders(new Dictionary<string, object?>
        {
            ["MT-Redelivery-Count"] = 2, ["x-death"] = new List<object>(), ["x-first-death-queue"] = "q"u8.ToArray(), ["x-correlator"] = "abc",
        }, 3);

        Assert.Equal(3, DelayedRedeliveryFilter.RedeliveryCount(headers["MT-Redelivery-Count"]));
        Assert.Equal(["MT-Redelivery-Count", "x-correlator"], headers.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_replayed_message_starts_over_without_its_fault()
    {
        var headers = ParkedMessages.ReplayedHeaders(new Dictionary<string, object?>
        {
            ["MT-Redelivery-Count"] = 6, ["MT-Fault-Message"] = "boom"u8.ToArray(), ["MT-Reason"] = "fault"u8.ToArray(), ["x-correlator"] = "abc",
        });
        Assert.Equal(["x-correlator"], headers.Keys);
    }

    [Theory]
    [InlineData("rabbitmq://127.0.0.1:5672/customer-signup-submitted", "customer-signup-submitted")]
    [InlineData("rabbitmq://host/vhost/account-subscription-created?temporary=false", "account-subscription-created")]
    public void The_queue_is_the_last_segment_of_the_input_address(string address, string queue) =>
        Assert.Equal(queue, DelayedRedeliveryFilter.QueueOf(new Uri(address)));

    [Fact]
    public void Each_delay_has_a_queue_of_its_own() =>
        Assert.Equal("masstack-redelivery-10000ms", DelayedRedeliveryFilter.DelayQueueName(TimeSpan.FromSeconds(10)));
}
