namespace Routing.Cli.Tests;

public class TextTableTests
{
    [Fact]
    public void Write_PadsColumnsToTheWidestCellPlusTwo()
    {
        var table = new TextTable("A", "LONGHEADER", "C");
        table.Add("wide-cell", "x", "last");
        var output = new StringWriter();

        table.Write(output);

        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("A          LONGHEADER  C", lines[0]);
        Assert.Equal("wide-cell  x           last", lines[1]);
    }

    [Fact]
    public void Add_WrongCellCount_Throws()
    {
        var table = new TextTable("A", "B");

        Assert.Throws<ArgumentException>(() => table.Add("only-one"));
    }
}
