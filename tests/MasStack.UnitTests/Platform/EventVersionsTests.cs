using System.Text.Json;
using MasStack.Contracts;
using MasStack.Platform.Messaging;

namespace MasStack.UnitTests.Platform;

public class EventVersionsTests
{
    [Theory]
    [InlineData(2, 1)]
    [InlineData(7, 3)]
    [InlineData(1, 0)]
    public void An_event_newer_than_the_copy_applies(long incoming, long held) => Assert.True(EventVersions.IsNewer(incoming, held));

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 3)]
    [InlineData(1, 5)]
    public void An_event_as_old_as_the_copy_or_older_changes_nothing(long incoming, long held) => Assert.False(EventVersions.IsNewer(incoming, held));

    [Fact]
    public void An_event_published_before_versions_existed_applies_as_it_always_did() =>
        Assert.True(EventVersions.IsNewer(EventVersions.Unversioned, 4));

    [Fact]
    public void An_event_from_a_producer_that_does_not_send_the_version_reads_as_unversioned()
    {
        const string older = """
            {"subscriptionId":1,"accountId":2,"userId":3,"from":"pending-activation","to":"active","reason":null,"changedAt":"2026-11-28T10:00:00+00:00"}
            """;
        var change = JsonSerializer.Deserialize<SubscriptionStatusChanged>(older, OutboxMessage.JsonOptions)!;
        Assert.Equal(EventVersions.Unversioned, change.Version);
        Assert.Equal(SubscriptionStatus.Active, change.To);
    }
}
