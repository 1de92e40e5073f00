using MasStack.Identity;
using Microsoft.Extensions.Configuration;

namespace MasStack.UnitTests.Security;

public class ClientRegistryTests
{
    private static ClientRegistry Registry() => ClientRegistry.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Identity:Clients:till:Scopes"] = "sales  customers ",
        ["Identity:Clients:till:Secret"] = "s3cret",
        ["Identity:Clients:ghost:Scopes"] = "operator", // no secret: cannot authenticate at all
    }).Build());

    [Fact]
    public void A_client_authenticates_with_its_own_secret_only()
    {
        var registry = Registry();
        Assert.Equal("till", registry.Authenticate("till", "s3cret")?.Id);
        Assert.Null(registry.Authenticate("till", "S3cret"));
        Assert.Null(registry.Authenticate("till", ""));
        Assert.Null(registry.Authenticate("till", null));
        Assert.Null(registry.Authenticate("nobody", "s3cret"));
        Assert.Null(registry.Authenticate("ghost", ""));
        Assert.Single(registry.All);
    }

    [Fact]
    public void A_token_gets_every_scope_of_the_client_or_those_asked_for_never_more()
    {
        var till = Registry().Authenticate("till", "s3cret")!;
        Assert.Equal(["customers", "sales"], ClientRegistry.Grant(till, [])!.Order());
        Assert.Equal(["sales"], ClientRegistry.Grant(till, ["sales"])!);
        Assert.Null(ClientRegistry.Grant(till, ["sales", "operator"]));
    }
}
