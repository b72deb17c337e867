using Npgsql;
using Routing.Cluster.Journal;

namespace Routing.Cluster.Tests.Journal;

/// <summary>The node's PostgreSQL pool: one bounded data source per connection string, shared and released by lease.</summary>
public sealed class PostgresDataSourcesTests
{
    private const string Plain = "Host=127.0.0.1;Port=1;Username=routing;Database=routing";

    [Fact]
    public void WithPoolBound_NoBoundGiven_SetsTheDefault()
    {
        var bounded = new NpgsqlConnectionStringBuilder(PostgresDataSources.WithPoolBound(Plain));
        Assert.Equal(PostgresDataSources.DefaultMaxPoolSize, bounded.MaxPoolSize);
        Assert.Equal("127.0.0.1", bounded.Host);
        Assert.Equal(1, bounded.Port);
    }

    [Theory]
    [InlineData("Maximum Pool Size=40")]
    [InlineData("MAXPOOLSIZE=40")]
    public void WithPoolBound_BoundGivenUnderAnyOfItsNames_KeepsIt(string given)
    {
        var bounded = new NpgsqlConnectionStringBuilder(PostgresDataSources.WithPoolBound(Plain + ";" + given));
        Assert.Equal(40, bounded.MaxPoolSize);
    }

    [Fact]
    public void WithPoolBound_MinimumAboveTheDefault_BoundRaisedToTheMinimum()
    {
        var bounded = new NpgsqlConnectionStringBuilder(PostgresDataSources.WithPoolBound(Plain + ";Minimum Pool Size=40"));
        Assert.Equal(40, bounded.MaxPoolSize);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Frobnicate=1")]
    [InlineData("Host=127.0.0.1;Port=abc")]
    [InlineData("Username=routing;Database=routing")]
    [InlineData("Host=127.0.0.1;Minimum Pool Size=50;Maximum Pool Size=10")]
    [InlineData("not a connection string")]
    public void WithPoolBound_NotAnNpgsqlConnectionString_Throws(string given) =>
        Assert.ThrowsAny<ArgumentException>(() => PostgresDataSources.WithPoolBound(given));

    [Fact]
    public void Rent_SameConnectionString_SharesOneDataSourceUntilTheLastRelease()
    {
        var connection = Plain + ";Application Name=rent-" + Guid.NewGuid().ToString("N");
        var journal = PostgresDataSources.Rent(connection);
        var snapshots = PostgresDataSources.Rent(connection);
        var other = PostgresDataSources.Rent(connection + "-other");
        Assert.Same(journal, snapshots);
        Assert.NotSame(journal, other);

        PostgresDataSources.Release(journal);
        // One lease left: the pool is alive (it tries the server, which is not there); after the last, it is disposed.
        Assert.ThrowsAny<NpgsqlException>(() => snapshots.OpenConnection());
        PostgresDataSources.Release(snapshots);
        Assert.Throws<ObjectDisposedException>(() => snapshots.OpenConnection());
        var fresh = PostgresDataSources.Rent(connection);
        Assert.NotSame(journal, fresh);
        PostgresDataSources.Release(fresh);
        PostgresDataSources.Release(other);
    }

    [Fact]
    public void Release_TwiceOrNotRented_Throws()
    {
        var source = PostgresDataSources.Rent(Plain + ";Application Name=twice-" + Guid.NewGuid().ToString("N"));
        PostgresDataSources.Release(source);
        Assert.Throws<InvalidOperationException>(() => PostgresDataSources.Release(source));
        using var foreign = NpgsqlDataSource.Create(Plain);
        Assert.Throws<InvalidOperationException>(() => PostgresDataSources.Release(foreign));
    }
}
