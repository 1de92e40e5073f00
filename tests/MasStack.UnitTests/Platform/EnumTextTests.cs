using MasStack.Contracts;
using MasStack.Platform.Data;

namespace MasStack.UnitTests.Platform;

public class EnumTextTests
{
    [Theory]
    [InlineData(SubscriptionStatus.PendingActivation, "pending-activation")]
    [InlineData(SubscriptionType.Tv, "tv")]
    [InlineData(PaymentType.Postpaid, "postpaid")]
    public void Enumerations_are_written_as_lowercase_kebab_text<T>(T value, string text) where T : struct, Enum
    {
        Assert.Equal(text, EnumText.Of(value));
        Assert.True(EnumText.TryParse<T>(text, out var parsed));
        Assert.Equal(value, parsed);
    }

    [Theory]
    [InlineData("Mobile")]
    [InlineData("pendingactivation")]
    [InlineData("")]
    [InlineData(null)]
    public void Only_the_exact_spelling_is_read(string? text) => Assert.False(EnumText.TryParse<SubscriptionStatus>(text, out _));

    [Fact]
    public void Another_casing_is_not_an_enumeration_value() => Assert.False(EnumText.TryParse<SubscriptionType>("Mobile", out _));
}
