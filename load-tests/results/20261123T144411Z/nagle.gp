set terminal pngcairo size 1000,380 font 'sans,10'
set output '/work/main/load-tests/results/20261123T144411Z/nagle.png'
set multiplot layout 1,1 title 'Nagle: p50 round trip (ms) of write-write-read'
set style data histograms; set style histogram clustered gap 1; set style fill solid 0.85 border -1
set datafile missing '?'; set datafile separator '\t'; set key outside right top; set grid ytics
set yrange [0:*]; set xtics rotate by -20
set ylabel 'p50'
plot for [c=2:3] '/work/main/load-tests/results/20261123T144411Z/nagle.dat.1' using c:xtic(1) title columnheader(c)
unset multiplot
