using MassTransit;
using MasStack.Platform.Data;
using MasStack.Platform.Messaging;

namespace MasStack.UnitTests.Platform;

public class ConsumerNamesTests
{
    [Theory]
    [InlineData("signup", typeof(MasStack.Signup.Features.Sales.UserRegisteredConsumer))]
    [InlineData("customer", typeof(MasStack.Customer.Features.Users.SignupSubmittedConsumer))]
    [InlineData("account", typeof(MasStack.Account.Features.Accounts.SubscriptionCreatedConsumer))]
    [InlineData("subscription", typeof(MasStack.Subscription.Features.Lines.SignupSubmittedConsumer))]
    public void Every_consumer_of_a_service_has_its_own_declared_name(string service, Type anyConsumer)
    {
        var consumers = ServiceConsumers.Of(service, anyConsumer.Assembly);

        Assert.NotEmpty(consumers.All);
        Assert.Equal(consumers.All.Count, consumers.All.Select(c => c.Queue).Distinct().Count());
        Assert.All(consumers.All, c => Assert.Equal($"{service}-{c.Name}", c.Queue));
    }

    [Fact]
    public void Queues_keep_the_names_they_had_when_they_came_from_the_class()
    {
        var consumers = ServiceConsumers.Of("customer", typeof(MasStack.Customer.Features.Users.SignupSubmittedConsumer).Assembly);
        Assert.Equal("customer-signup-submitted", consumers.QueueOf(typeof(MasStack.Customer.Features.Users.SignupSubmittedConsumer)));
        Assert.Equal("customer-subscription-barring-changed", consumers.QueueOf(typeof(MasStack.Customer.Features.Tree.SubscriptionBarringChangedConsumer)));
    }

    [Fact]
    public void Two_consumers_with_the_same_name_stop_the_service()
    {
        var clash = Assert.Throws<InvalidOperationException>(() => new ServiceConsumers("customer", [typeof(FirstConsumer), typeof(SecondConsumer)]));
        Assert.Contains("'same-name'", clash.Message);
        Assert.Contains(nameof(FirstConsumer), clash.Message);
        Assert.Contains(nameof(SecondConsumer), clash.Message);
    }

    [Fact]
    public void A_consumer_without_a_name_stops_the_service() =>
        Assert.Throws<InvalidOperationException>(() => new ServiceConsumers("customer", [typeof(UnnamedConsumer)]));

    [Fact]
    public void A_name_that_is_not_kebab_case_stops_the_service() =>
        Assert.Throws<InvalidOperationException>(() => new ServiceConsumers("customer", [typeof(BadlyNamedConsumer)]));

    [Fact]
    public void Signup_retires_its_consumers_of_a_lines_creation_whose_barring_profile_confirms_it_now()
    {
        var consumers = ServiceConsumers.Of("signup", typeof(MasStack.Signup.Features.Sales.UserRegisteredConsumer).Assembly);
        Assert.Equal(["signup-subscription-created", "signup-subscriptions-created"], consumers.Retired);
        Assert.DoesNotContain(consumers.All, c => consumers.Retired.Contains(c.Queue));
    }

    [Fact]
    public void A_consumer_under_a_retired_name_stops_the_service()
    {
        var reused = Assert.Throws<InvalidOperationException>(() => new ServiceConsumers("customer", [typeof(FirstConsumer)], ["same-name"]));
        Assert.Contains("'same-name'", reused.Message);
        Assert.Contains("retired", reused.Message);
    }

    [Fact]
    public void The_name_does_not_follow_the_class() =>
        Assert.Equal("same-name", ServiceConsumers.NameOf(typeof(SecondConsumer)));

    private sealed record Ping;

    [ConsumerName("same-name")]
    private sealed class FirstConsumer(UnitOfWork db) : InboxConsumer<Ping>(db)
    {
        protected override Task Handle(Ping message, UnitOfWork unitOfWork, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [ConsumerName("same-name")]
    private sealed class SecondConsumer(UnitOfWork db) : InboxConsumer<Ping>(db)
    {
        protected override Task Handle(Ping message, UnitOfWork unitOfWork, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class UnnamedConsumer : IConsumer<Ping>
    {
        public Task Consume(ConsumeContext<Ping> context) => Task.CompletedTask;
    }

    [ConsumerName("SignupSubmitted")]
    private sealed class BadlyNamedConsumer : IConsumer<Ping>
    {
        public Task Consume(ConsumeContext<Ping> context) => Task.CompletedTask;
    }
}
