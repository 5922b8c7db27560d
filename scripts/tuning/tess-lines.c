#include <tesseract/capi.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc,char**argv){ // reads binary PGM files named in argv, prints one line each
  TessBaseAPI*api=TessBaseAPICreate();
  if(TessBaseAPIInit3(api,NULL,"eng")){fprintf(stderr,"init\n");return 1;}
  TessBaseAPISetPageSegMode(api,PSM_SINGLE_LINE);
  for(int i=1;i<argc;i++){FILE*f=fopen(argv[i],"rb");int w,h,m;fscanf(f,"P5 %d %d %d",&w,&h,&m);fgetc(f);
    unsigned char*b=malloc(w*h);fread(b,1,w*h,f);fclose(f);
    TessBaseAPISetImage(api,b,w,h,1,w);char*t=TessBaseAPIGetUTF8Text(api);
    for(char*p=t;*p;p++) if(*p=='\n')*p=' ';
    printf("%s\n",t);TessDeleteText(t);free(b);}
  TessBaseAPIDelete(api);return 0;}
