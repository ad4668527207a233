namespace SessionRoom.PostgresTests;

public sealed class SetupTests
{
    [Fact]
    public async Task Without_the_environment_variable_a_test_fails_saying_what_to_set()
    {
        var given = Environment.GetEnvironmentVariable(TestDatabase.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(TestDatabase.EnvironmentVariable, null);
            var error = await Assert.ThrowsAsync<InvalidOperationException>(TestDatabase.CreateAsync);
            Assert.StartsWith($"{TestDatabase.EnvironmentVariable} is not set.", error.Message);
        }
        finally
        {
            // Tests run one at a time (TestDatabase.cs), so no other test saw it unset.
            Environment.SetEnvironmentVariable(TestDatabase.EnvironmentVariable, given);
        }
    }
}
