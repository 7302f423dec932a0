set terminal pngcairo size 1000,760 font 'sans,10'
set output '/work/wt8b/load-tests/results/20261123T162346Z/gateway.png'
set multiplot layout 2,1 title '1. GET /api/orders/{id}: direct vs nginx vs gateway'
set style data histograms; set style histogram clustered gap 1; set style fill solid 0.85 border -1
set datafile missing '?'; set datafile separator '\t'; set key outside right top; set grid ytics
set yrange [0:*]; set xtics rotate by -20
set ylabel 'rps'
plot for [c=2:3] '/work/wt8b/load-tests/results/20261123T162346Z/gateway.dat.1' using c:xtic(1) title columnheader(c)
set ylabel 'ms'
plot for [c=2:3] '/work/wt8b/load-tests/results/20261123T162346Z/gateway.dat.2' using c:xtic(1) title columnheader(c)
unset multiplot
