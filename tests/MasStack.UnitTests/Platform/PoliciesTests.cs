using MasStack.Platform.Http;
using MasStack.Platform.Messaging;
using MasStack.Platform.Workers;
using MasStack.ServiceDefaults;

namespace MasStack.UnitTests.Platform;

public class RetryPolicyTests
{
    [Theory]
    [InlineData("GET", false, true)]
    [InlineData("PUT", false, true)]
    [InlineData("DELETE", false, true)]
    [InlineData("POST", false, false)]
    [InlineData("PATCH", false, false)]
    [InlineData("POST", true, true)]
    [InlineData("PATCH", true, true)]
    public void A_request_is_retried_only_when_repeating_it_is_safe(string method, bool withKey, bool expected)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), "http://signup/api/v1/signups");
        if (withKey) request.Headers.Add("Idempotency-Key", "sale-1");

        Assert.Equal(expected, RetryPolicy.MayRetry(request));
    }

    [Fact]
    public void Without_a_request_nothing_is_retried() => Assert.False(RetryPolicy.MayRetry(null));
}

public class BackoffTests
{
    [Fact]
    public void The_wait_doubles_after_each_failure_from_a_quarter_second_up_to_a_cap()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(250), Backoff.After(1));
        Assert.Equal(TimeSpan.FromMilliseconds(500), Backoff.After(2));
        Assert.Equal(TimeSpan.FromSeconds(16), Backoff.After(7));
        Assert.Equal(TimeSpan.FromSeconds(30), Backoff.After(8));
        Assert.Equal(TimeSpan.FromSeconds(30), Backoff.After(int.MaxValue));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void Jitter_stays_within_a_quarter_either_side(double jitter) =>
        Assert.InRange(Backoff.After(3, jitter).TotalSeconds, 1.0 * 0.75, 1.0 * 1.25);
}

public class HeaderFormatTests
{
    [Theory]
    [InlineData("sale-2026-11-27-0001", true)]
    [InlineData("a", true)]
    [InlineData("", false)]
    [InlineData("naïve", false)]
    [InlineData("tab\there", false)]
    public void Idempotency_keys_are_1_to_255_printable_ascii(string key, bool valid) =>
        Assert.Equal(valid, IdempotencyKeys.IsValid(key));

    [Fact]
    public void An_idempotency_key_of_256_characters_is_refused() => Assert.False(IdempotencyKeys.IsValid(new string('k', 256)));

    [Theory]
    [InlineData("till-42:sale/7;{x}", true)]
    [InlineData("with space", false)]
    [InlineData("quote\"", false)]
    public void Correlators_use_the_tmf_character_set(string value, bool valid) => Assert.Equal(valid, Correlation.IsValid(value));

    [Theory]
    [InlineData("$.customer.birthDate", "customer.birthDate")]
    [InlineData("$.lines[0].type", "lines[0].type")]
    [InlineData("$", "body")]
    [InlineData(null, "body")]
    public void Json_paths_name_the_field(string? path, string field) => Assert.Equal(field, BadRequestExceptionHandler.FieldOf(path));
}
