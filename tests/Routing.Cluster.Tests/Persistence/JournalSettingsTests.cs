using Akka.Configuration;
using Routing.Cluster.Journal;

namespace Routing.Cluster.Tests.Journal;

/// <summary>Reading a journal plugin section: <c>min-commit-interval</c>, the SQLite index merge keys.</summary>
public sealed class JournalSettingsTests
{
    private static Config Section(string extra) => ConfigurationFactory.ParseString("connection-string = \"Data Source=x.db\"\n" + extra);

    [Fact]
    public void MinCommitInterval_Absent_TakesTheDatabaseDefault()
    {
        Assert.Equal(SqliteJournal.DefaultMinCommitInterval, JournalSettings.From(Section(""), SqliteJournal.DefaultMinCommitInterval).MinCommitInterval);
        Assert.Equal(TimeSpan.Zero, JournalSettings.From(Section("")).MinCommitInterval);
    }

    [Fact]
    public void MinCommitInterval_Configured_OverridesTheDefault_ZeroTurnsItOff()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(12), JournalSettings.From(Section("min-commit-interval = 12ms"), SqliteJournal.DefaultMinCommitInterval).MinCommitInterval);
        Assert.Equal(TimeSpan.Zero, JournalSettings.From(Section("min-commit-interval = 0s"), SqliteJournal.DefaultMinCommitInterval).MinCommitInterval);
    }

    [Theory]
    [InlineData("-5ms")]
    [InlineData("soon")]
    public void MinCommitInterval_NegativeOrNotADuration_IsRefusedNamingTheKey(string value)
    {
        var error = Assert.Throws<ConfigurationException>(() => JournalSettings.From(Section("min-commit-interval = " + value)));
        Assert.StartsWith("min-commit-interval:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IndexMerge_DefaultsAndConfiguredValues()
    {
        var defaults = JournalSettings.From(Section(""));
        var configured = JournalSettings.From(Section("sqlite-index-merge-events = 7\nsqlite-index-merge-interval = 250ms"));

        Assert.Equal((50_000, TimeSpan.FromSeconds(5)), (defaults.IndexMergeEvents, defaults.IndexMergeInterval));
        Assert.Equal((7, TimeSpan.FromMilliseconds(250)), (configured.IndexMergeEvents, configured.IndexMergeInterval));
    }

    [Theory]
    [InlineData("sqlite-index-merge-events = 0", "sqlite-index-merge-events:")]
    [InlineData("sqlite-index-merge-interval = -1s", "sqlite-index-merge-interval:")]
    [InlineData("sqlite-index-merge-interval = later", "sqlite-index-merge-interval:")]
    public void IndexMerge_BadValue_IsRefusedNamingTheKey(string line, string prefix)
    {
        var error = Assert.Throws<ConfigurationException>(() => JournalSettings.From(Section(line)));
        Assert.StartsWith(prefix, error.Message, StringComparison.Ordinal);
    }
}
