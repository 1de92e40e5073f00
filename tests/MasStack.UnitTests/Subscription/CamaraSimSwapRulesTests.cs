using MasStack.Subscription.Features.SimSwap;

namespace MasStack.UnitTests.Subscription;

public class CamaraSimSwapRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(-59, 1, true)]      // changed 59 minutes ago, asked about the last hour
    [InlineData(-61, 1, false)]
    [InlineData(-60 * 239, 240, true)]
    [InlineData(-60 * 241, 240, false)]
    public void A_SIM_counts_as_swapped_only_within_maxAge_hours(int minutesAgo, int maxAgeHours, bool swapped) =>
        Assert.Equal(swapped, CamaraSimSwapApi.Swapped(Now.AddMinutes(minutesAgo), maxAgeHours, Now));

    [Fact]
    public void A_line_with_no_known_SIM_change_was_not_swapped() =>
        Assert.False(CamaraSimSwapApi.Swapped(null, 2400, Now));
}
