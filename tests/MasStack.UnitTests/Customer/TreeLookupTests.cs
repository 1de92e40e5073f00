using MasStack.Customer.Features.Tree;

namespace MasStack.UnitTests.Customer;

public class TreeLookupTests
{
    private const string Tree =
        """
        {"user":{"userId":1,"documentNumber":"12345678Z","email":"ana@example.com"},
         "accounts":[{"accountId":2,"subscriptions":[{"subscriptionId":3,"number":null},{"subscriptionId":4,"number":"+34612345678"}]}]}
        """;

    [Fact]
    public void A_cached_mapping_is_trusted_only_when_the_tree_agrees()
    {
        Assert.True(TreeLookup.Email("ana@example.com").IsFoundIn(Tree));
        Assert.False(TreeLookup.Email("old@example.com").IsFoundIn(Tree));
        Assert.True(TreeLookup.Document("12345678Z").IsFoundIn(Tree));
        Assert.True(TreeLookup.Msisdn("+34612345678").IsFoundIn(Tree));
        Assert.False(TreeLookup.Msisdn("+34699999999").IsFoundIn(Tree));
    }
}
