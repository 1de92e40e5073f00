namespace MasStack.DeploymentTests;

/// <summary>
/// Every rendered object against the Kubernetes API's OpenAPI schemas (required fields, types, formats), with the
/// kubernetes-models validator from npm (deploy/kubernetes/validate, installed by scripts/prerequisites.sh). The typed
/// load in <see cref="RenderedOverlay"/> adds the other half: no field the API does not know.
/// </summary>
public sealed class ApiSchemaTests
{
    private static RenderedOverlay.ProcessResult Validate(string yaml) =>
        RenderedOverlay.Run("node", ["deploy/kubernetes/validate/validate.mjs"], input: yaml);

    [Theory]
    [InlineData(RenderedOverlay.Local)]
    [InlineData(RenderedOverlay.Production)]
    public void Every_object_of_the_overlay_matches_its_API_schema(string overlayName)
    {
        var overlay = RenderedOverlay.Of(overlayName);
        var result = Validate(overlay.Yaml);
        Assert.True(result.ExitCode == 0, $"{overlayName}:\n{result.Output}{result.Errors}");
        Assert.Contains($"{overlay.Objects.Count} objects, 0 invalid", result.Output);
    }

    [Fact]
    public void The_validator_refuses_an_object_that_breaks_its_schema()
    {
        // A Deployment without a selector and with replicas as text: the check above would be worthless if this passed.
        const string broken = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: broken}
            spec:
              replicas: "two"
              template: {spec: {containers: [{name: broken}]}}
            """;
        var result = Validate(broken);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("selector", result.Output);
        Assert.Contains("replicas", result.Output);
    }
}
