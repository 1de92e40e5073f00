using System.Text.Json;
using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Messaging;

namespace MasStack.UnitTests.Platform;

public class TolerantReaderTests
{
    private static readonly JsonSerializerOptions Bus = new(JsonSerializerDefaults.Web) { Converters = { new TolerantEnumConverter() } };

    [Fact]
    public void An_unknown_enumeration_value_and_an_unknown_field_read_as_other_instead_of_failing()
    {
        var change = JsonSerializer.Deserialize<SubscriptionStatusChanged>(
            """{"subscriptionId":1,"accountId":2,"userId":3,"from":"active","to":"suspended-for-fraud","reason":null,"changedAt":"2026-11-28T10:00:00+00:00","fraudCaseId":42}""",
            Bus)!;

        Assert.Equal(SubscriptionStatus.Active, change.From);
        Assert.Equal(EnumText.Other<SubscriptionStatus>(), change.To);
        Assert.False(Enum.IsDefined(change.To));
        Assert.Equal("other", EnumText.Of(change.To));
    }

    [Fact]
    public void Known_values_travel_as_kebab_text_both_ways()
    {
        var json = JsonSerializer.Serialize(new { status = SubscriptionStatus.PendingActivation, type = (SubscriptionType?)SubscriptionType.Tv }, Bus);
        Assert.Equal("""{"status":"pending-activation","type":"tv"}""", json);
        Assert.Equal(SubscriptionStatus.PendingPortability, JsonSerializer.Deserialize<SubscriptionStatus>("\"pending-portability\"", Bus));
        Assert.Null(JsonSerializer.Deserialize<SubscriptionType?>("null", Bus));
    }

    [Fact]
    public void Other_is_stored_and_read_back_but_never_accepted_from_a_client()
    {
        Assert.Equal(EnumText.Other<PaymentType>(), EnumText.Parse<PaymentType>("other"));
        Assert.False(EnumText.TryParse<PaymentType>("other", out _));
    }
}
